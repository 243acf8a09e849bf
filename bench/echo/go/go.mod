module growstack/bench/echo/go

go 1.19
