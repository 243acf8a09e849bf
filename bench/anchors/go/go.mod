module growstack/bench/anchors/go

go 1.19
