// A UDP echo on loopback: the client sends "ping", the server answers in upper case.
import dgram from "node:dgram";
import { once } from "node:events";
import { HOST } from "../_loopback.ts";

const server = dgram.createSocket("udp4");
server.on("message", (message, from) => server.send(message.toString().toUpperCase(), from.port, from.address));
server.bind(0, HOST);
await once(server, "listening");
const client = dgram.createSocket("udp4");
client.send("ping", server.address().port, HOST);
const [reply] = await once(client, "message");
client.close();
server.close();
console.log(JSON.stringify({ reply: reply.toString() }));
