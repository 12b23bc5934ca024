// Entry point of the detached gateway process that `npm run stack:up` leaves running.
import { startGateway } from './gateway.js';

const [postgrestUrl, port] = process.argv.slice(2);
if (!postgrestUrl || !port) {
  console.error('usage: gateway-main <postgrest url> <port>');
  process.exit(2);
}
const gateway = await startGateway(postgrestUrl, Number(port));
const stop = () => gateway.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
