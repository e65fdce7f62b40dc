-- wrk script for `make bench`: POST /api/v1/questions with varied, realistic bodies.
-- Every body is different (thread id + counter), so the 10-minute duplicate check never turns a
-- request into a read: each request is a real insert with a durable commit.
local streets = { "Абая", "Жандосова", "Сатпаева", "Розыбакиева", "Тимирязева", "Толе би", "Саина", "Аль-Фараби" }
local categories = { "improvement", "utilities", "transport", "social-infrastructure", "safety", "other" }
local texts = {
  "Когда отремонтируют дорогу на улице %s у дома %d? Ямы не дают проехать даже скорой.",
  "На улице %s во дворе дома %d нет освещения, дети возвращаются из школы в темноте.",
  "%s көшесі %d үйдің ауласында балалар алаңы жоқ, қашан салынады?",
  "Біздің %s көшесінде %d үй маңында жарық жоқ, өтінеміз жөндеу керек.",
  "Остановка на %s, %d: автобус 63 ходит раз в час, просим увеличить количество рейсов.",
  "Qashan %s kóshesіndegі %d úıdіń janyndaǵy jol jóndeledі?",
}

local thread_counter = 0

-- TYNDAU_BENCH_PORTS=8081,8082 (bench/scale-out.sh): thread i talks to the i-th port, round robin, so
-- the connections are split evenly across several `tyndau serve` processes and one wrk measures them all.
local ports = {}
for port in string.gmatch(os.getenv("TYNDAU_BENCH_PORTS") or "", "%d+") do ports[#ports + 1] = port end

function setup(thread)
  if #ports > 0 then
    thread.addr = wrk.lookup("127.0.0.1", ports[(thread_counter % #ports) + 1])[1]
  end
  thread:set("id", thread_counter)
  thread_counter = thread_counter + 1
end

function init(args)
  id = tonumber(id) or 0
  math.randomseed(7919 * (id + 1))
  counter = 0
end

function request()
  counter = counter + 1
  local street = streets[math.random(#streets)]
  local template = texts[math.random(#texts)]
  local text = string.format(template, street, math.random(1, 250))
  local body = string.format(
    '{"text":"%s (№%d-%d)","street":"%s","house":"%d","category":"%s"}',
    text, id, counter, street, math.random(1, 250), categories[math.random(#categories)]
  )
  return wrk.format("POST", "/api/v1/questions", { ["Content-Type"] = "application/json" }, body)
end
