// An http2 client requests / from an http2 server over cleartext and prints the status and body.
import { once } from "node:events";
import http2 from "node:http2";
import { HOST, listen, port } from "../_loopback.ts";

const server = await listen(http2.createServer());
server.on("stream", (stream) => {
  stream.respond({ ":status": 200 });
  stream.end("h2 ok");
});
const client = http2.connect(`http://${HOST}:${port(server)}`);
const request = client.request({ ":path": "/" });
const [headers] = await once(request, "response");
let body = "";
for await (const chunk of request) body += chunk;
client.close();
server.close();
console.log(JSON.stringify({ status: headers[":status"], body }));
