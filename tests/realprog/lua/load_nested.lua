-- load_nested.lua [ROUNDS] - a deeply nested table constructor parsed by load.
-- The parser is recursive descent in C (subexpr -> simpleexp -> constructor ->
-- field -> expr -> subexpr ...), several C frames per level; 190 levels is close
-- to the parser's own limit of 200 C levels (LUAI_MAXCCALLS).
local DEPTH = 190
local rounds = tonumber(arg[1]) or 200

-- 190 levels of bare nesting {{{...{'leaf'}...}}}, one register per level
local src = "return " .. string.rep("{", DEPTH) .. "'leaf'" .. string.rep("}", DEPTH)
-- 80 levels of wider constructors {i, ki = 3i, {...}}: three registers per level
-- (the parser's limit is 255 registers per function)
local WIDE = 80
local parts = {}
for i = 1, WIDE do parts[#parts + 1] = "{" .. i .. ", k" .. i .. " = " .. (i * 3) .. ", " end
parts[#parts + 1] = "'leaf'"
for i = 1, WIDE do parts[#parts + 1] = "}" end
local wsrc = "return " .. table.concat(parts)

-- an expression nested 95 deep: (1 - (2 + (3 - ...))), two C levels per
-- parenthesis (the parenthesised expr and the binary operator's right operand)
local EDEPTH = 95
local e = {}
for i = 1, EDEPTH do e[#e + 1] = "(" .. i .. (i % 2 == 0 and " + " or " - ") end
e[#e + 1] = "0"
for i = 1, EDEPTH do e[#e + 1] = ")" end
local esrc = "return " .. table.concat(e)

local total = 0
for r = 1, rounds do
  local t = assert(load(src, "=nested"))()
  local d = 0
  while type(t) == "table" do d = d + 1; t = t[1] end
  assert(d == DEPTH and t == "leaf")
  t = assert(load(wsrc, "=wide"))()
  local sum
  d, sum = 0, 0
  while type(t) == "table" do d = d + 1; sum = sum + t[1] + t["k" .. d]; t = t[2] end
  assert(d == WIDE and t == "leaf")
  local v = assert(load(esrc, "=expr"))()
  total = (total + sum + v) % 1000000007
end
-- one level too deep must fail cleanly with the parser's own message
local too = "return " .. string.rep("{", 300) .. string.rep("}", 300)
local f, err = load(too, "=too")
print("load_nested", DEPTH, rounds, total, f == nil and err or "loaded")
