-- string_build.lua [ROUNDS] - string building: concatenation, string.format,
-- string.rep, table.concat and tostring, as a text-producing program does.
local rounds = tonumber(arg[1]) or 50
local h = 0
local last
for r = 1, rounds do
  local buf = {}
  for i = 1, 2000 do
    buf[#buf + 1] = string.format("%5d:%-8s|%.3f|%x", i, "k" .. (i * r % 97), i / 7, i * r)
  end
  local s = table.concat(buf, "\n")
  local t = ""
  for i = 1, 300 do t = t .. tostring(i) .. "," end
  s = s .. t .. string.rep("ab", 500, "-")
  for i = 1, #s, 97 do h = (h * 31 + s:byte(i)) % 1000000007 end
  last = #s
end
print("string_build", rounds, last, h)
