-- coroutine_pingpong.lua [N] - coroutine.wrap ping-pong, and a chain of nested
-- coroutines. Every resume is a C call (lua_resume) on the C stack; the chain
-- resumes 150 coroutines inside each other, so 150 resumes deep of C frames.
local n = tonumber(arg[1]) or 100000

local gen = coroutine.wrap(function()
  local x = 0
  while true do x = x + coroutine.yield(x) end
end)
gen(0)
local acc = 0
for i = 1, n do acc = (acc + gen(i)) % 1000000007 end

local function chain(depth)
  if depth == 0 then
    return coroutine.wrap(function(v) while true do v = coroutine.yield(v + 1) end end)
  end
  local next = chain(depth - 1)
  return coroutine.wrap(function(v) while true do v = coroutine.yield(next(v) * 2 % 1000003) end end)
end
local c = chain(150)
local s = 0
for i = 1, n // 100 do s = (s + c(i)) % 1000000007 end
print("coroutine_pingpong", n, acc, s)
