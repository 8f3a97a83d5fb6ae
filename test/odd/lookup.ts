// A client whose name lookup fails. The lookup is the program's own `lookup` option, answering
// ENOTFOUND as the resolver does for a name under the reserved .invalid TLD: the system resolver
// here sends the query to a name server, and the test must not depend on one.
import { once } from "node:events";
import net from "node:net";

const notFound: net.LookupFunction = (hostname, _options, callback) =>
  callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), "", 4);

const socket = net.connect({ host: "kahook.invalid", port: 80, lookup: notFound });
const [error] = await once(socket, "error").catch((error) => [error]);
console.log(JSON.stringify({ code: error.code, message: error.message, destroyed: socket.destroyed }));
