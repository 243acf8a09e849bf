-- pcall_deep.lua [ROUNDS] - nested pcall/error, 180 levels deep.
-- Every level is a Lua function that calls the next through pcall (a C call:
-- lua_pcallk -> luaD_rawrunprotected with its setjmp buffer on the C stack), the
-- bottom raises an error, and each level catches it, checks it and raises a longer
-- one: 180 nested setjmp/longjmp frames on the C stack, unwound once per level.
local DEPTH = 180
local rounds = tonumber(arg[1]) or 200

local function level(n)
  if n == 0 then error({depth = 0, path = "bottom"}) end
  local ok, e = pcall(level, n - 1)
  assert(not ok and type(e) == "table" and e.depth == n - 1)
  if n % 30 == 0 then e.path = e.path .. "/" .. n end
  error({depth = n, path = e.path})
end

local sum = 0
local path
for r = 1, rounds do
  local ok, e = pcall(level, DEPTH)
  assert(not ok and e.depth == DEPTH)
  sum = sum + e.depth
  path = e.path
  -- error with a string message and a traceback through the nested levels
  local ok2, msg = xpcall(function()
    local function down(k) if k == 0 then error("deep " .. r, 0) end return (down(k - 1)) end
    return down(DEPTH // 2)
  end, function(m) return m .. "!" end)
  assert(not ok2 and msg == "deep " .. r .. "!")
end
print("pcall_deep", DEPTH, rounds, sum, path)
