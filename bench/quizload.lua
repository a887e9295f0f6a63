-- The quiz load as wrk drives it: one learner per wrk thread (run with -t N -c N), each
-- starting an attempt, then submitting it, over and over, on its own session. A learner's
-- session cookie and CSRF token come from the file named by $QUIZLOAD_LEARNERS, one "cookie<TAB>token"
-- line per learner; the submit's latency (from the request written to the answer read) is
-- timed here, since wrk's own latency mixes starts and submits. At the end every thread's
-- figures are written to stdout as "submit <ms>", "errors <n>" lines for bench/quizload.py.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } quizload_ts;
  int clock_gettime(int clock, quizload_ts *ts);
]]
local ts = ffi.new("quizload_ts")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local QUIZ = "/courses/social-divide/quizzes/social-graph-presence/"
local ANSWERS = "q-months=6&q-profile-is-presence=false&q-first-step=0&confirm=yes"

-- main state: hand each thread one learner
local learners, threads, next_learner = {}, {}, 1

function setup(thread)
  if #learners == 0 then
    for line in io.lines(os.getenv("QUIZLOAD_LEARNERS")) do
      local cookie, token = line:match("^([^\t]+)\t(.+)$")
      learners[#learners + 1] = { cookie, token }
    end
  end
  local learner = learners[next_learner]
  next_learner = next_learner + 1
  thread:set("cookie", learner[1])
  thread:set("token", learner[2])
  threads[#threads + 1] = thread
end

-- thread state
latencies, errors, phase, attempt, sent = {}, 0, "start", nil, 0

local function post(path, body)
  return wrk.format("POST", path, {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["User-Agent"] = "quizload",
  }, body)
end

function request()
  if phase == "start" then
    return post(QUIZ .. "start", "csrf_token=" .. token)
  end
  sent = now()
  return post(QUIZ .. "attempts/" .. attempt .. "/submit",
              "csrf_token=" .. token .. "&" .. ANSWERS)
end

function response(status, headers, body)
  local set = headers["Set-Cookie"]
  if set then
    cookie = set:match("^([^;]+)")
  end
  local location = headers["Location"] or ""
  if phase == "start" then
    attempt = location:match("/attempts/(%d+)")
    if status == 302 and attempt then
      phase = "submit"
    else
      errors = errors + 1
    end
  else
    latencies[#latencies + 1] = (now() - sent) * 1000
    if not (status == 302 and location:find("/result", 1, true)) then
      errors = errors + 1
      latencies[#latencies] = nil
    end
    phase = "start"
  end
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for _, ms in ipairs(thread:get("latencies")) do
      io.write(string.format("submit %.3f\n", ms))
    end
    io.write(string.format("errors %d\n", thread:get("errors")))
  end
end
