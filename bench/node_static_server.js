// Comparison server for bench/http_bench.sh: Node.js's own http module
// answering every request with the same JSON bytes (a snapshot fetched from
// stratd), i.e. the floor of a typical JavaScript API server, no work done.
const http = require("http");
const fs = require("fs");
const [, , port, file] = process.argv;
const body = fs.readFileSync(file);
http
  .createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length });
    res.end(body);
  })
  // Port 0: a free one, announced as the first line out.
  .listen(Number(port), "127.0.0.1", function () {
    console.log(`listening ${this.address().port}`);
  });
