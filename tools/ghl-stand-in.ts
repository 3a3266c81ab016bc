import { parseArgs } from 'node:util';
import { GhlApiStandIn } from '../test/support/ghl-api-stand-in.js';

/**
 * The GHL REST stand-in as a process of its own, for benchmarks and demos: seeds the records asked
 * for and prints one JSON line with its URL, location and token; stops on SIGTERM / SIGINT.
 *
 *   npm run stand-in -- --contacts 5000 --opportunities 500 --appointments 1000 [--port 4010]
 *   GHL_API_BASE_URL=<url> GHL_LOCATION_ID=<location> GHL_PRIVATE_INTEGRATION_TOKEN=<token> npm run backfill
 */
const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '1000' },
    opportunities: { type: 'string', default: '0' },
    appointments: { type: 'string', default: '0' },
    port: { type: 'string', default: '0' },
    burst: { type: 'string', default: '100' },
  },
});

const standIn = await GhlApiStandIn.start({
  port: Number(values.port),
  limits: { burst: Number(values.burst) },
});
const contacts = standIn.seedContacts(Number(values.contacts));
const opportunities = Number(values.opportunities);
if (opportunities > 0) standIn.seedOpportunities(opportunities, standIn.seedPipeline(), contacts);
const appointments = Number(values.appointments);
if (appointments > 0) standIn.seedAppointments(appointments, contacts);
process.stdout.write(
  `${JSON.stringify({
    msg: 'GHL stand-in is listening',
    url: standIn.url,
    locationId: standIn.locationId,
    token: standIn.token,
    seeded: { contacts: contacts.length, opportunities, appointments },
  })}\n`,
);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    const served = { requests: standIn.requests.length, throttled: standIn.throttled };
    process.stdout.write(`${JSON.stringify({ msg: 'GHL stand-in stopped', ...served })}\n`);
    void standIn.stop().then(() => process.exit(0));
  });
}
