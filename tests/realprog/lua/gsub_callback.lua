-- gsub_callback.lua [ROUNDS] - string.gsub with Lua callbacks, nested.
-- str_find_aux / do_match / add_value run in C and call back into Lua for every
-- match; the callback runs another gsub with its own callback, three levels deep,
-- so C frames of the pattern matcher sit between Lua frames.
local rounds = tonumber(arg[1]) or 200
local words = {}
for i = 1, 400 do words[i] = string.format("w%03d", (i * 7919) % 1000) end
local text = table.concat(words, " ")

local calls = 0
local function inner(c)
  calls = calls + 1
  return string.char((c:byte() - 48 + 5) % 10 + 48)
end
local function middle(digits)
  return (digits:gsub("%d", inner))
end
local function outer(word)
  local w = word:gsub("(%d+)", middle)
  return w:upper()
end

local out
local h = 0
for r = 1, rounds do
  out = text:gsub("%a%d+", outer)
  -- a pattern with back-references and anchors, recursive in the matcher
  local n = select(2, out:gsub("(W)(%d)%2", "%1%2"))
  h = (h * 31 + #out + n) % 1000000007
end
print("gsub_callback", rounds, calls, h, out:sub(1, 40))
