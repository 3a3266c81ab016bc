import { parseArgs } from 'node:util';
import { GhlApiStandIn } from '../test/support/ghl-api-stand-in.js';

/**
 * The GHL REST stand-in as a process of its own, for benchmarks and demos: seeds the records asked
 * for and prints one JSON line with its URL, location and token (and, with --webhook-url, the
 * public keys its webhooks are signed with); stops on SIGTERM / SIGINT.
 *
 *   npm run stand-in -- --contacts 5000 --opportunities 500 --appointments 1000 [--port 4010]
 *   GHL_API_BASE_URL=<url> GHL_LOCATION_ID=<location> GHL_PRIVATE_INTEGRATION_TOKEN=<token> npm run backfill
 *
 * Contact writes answer as GHL's do; --webhook-url <service>/webhooks/ghl sends the signed webhook
 * GHL would after each one (start the service with the printed GHL_WEBHOOK_* keys), after
 * --webhook-delay-ms, --webhook-copies times; --allow-duplicates turns the location's "Allow
 * Duplicate Contact" setting on. --burst and --window-ms set the rate limit (100 per 10,000 ms, as
 * GHL's); SIGUSR2 prints what it has served so far.
 */
const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '1000' },
    opportunities: { type: 'string', default: '0' },
    appointments: { type: 'string', default: '0' },
    port: { type: 'string', default: '0' },
    burst: { type: 'string', default: '100' },
    'window-ms': { type: 'string', default: '10000' },
    'allow-duplicates': { type: 'boolean', default: false },
    'webhook-url': { type: 'string' },
    'webhook-delay-ms': { type: 'string', default: '0' },
    'webhook-copies': { type: 'string', default: '1' },
  },
});

const standIn = await GhlApiStandIn.start({
  port: Number(values.port),
  limits: { burst: Number(values.burst), windowMs: Number(values['window-ms']) },
  allowDuplicates: values['allow-duplicates'],
});
const contacts = standIn.seedContacts(Number(values.contacts));
const opportunities = Number(values.opportunities);
if (opportunities > 0) standIn.seedOpportunities(opportunities, standIn.seedPipeline(), contacts);
const appointments = Number(values.appointments);
if (appointments > 0) standIn.seedAppointments(appointments, contacts);
const webhookUrl = values['webhook-url'];
if (webhookUrl) {
  standIn.sendWebhooksTo({
    url: webhookUrl,
    delayMs: Number(values['webhook-delay-ms']),
    copies: Number(values['webhook-copies']),
  });
}
process.stdout.write(
  `${JSON.stringify({
    msg: 'GHL stand-in is listening',
    url: standIn.url,
    locationId: standIn.locationId,
    token: standIn.token,
    seeded: { contacts: contacts.length, opportunities, appointments },
    ...(webhookUrl ? { webhooks: { url: webhookUrl, env: standIn.webhookSigner.env() } } : {}),
  })}\n`,
);
const served = () => ({
  requests: standIn.requests.length,
  throttled: standIn.throttled,
  writes: standIn.actions,
  webhooks: standIn.deliveries.length,
});
// What it has served so far, without stopping (a benchmark reads it between phases).
process.on('SIGUSR2', () => process.stdout.write(`${JSON.stringify({ msg: 'GHL stand-in served', ...served() })}\n`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    process.stdout.write(`${JSON.stringify({ msg: 'GHL stand-in stopped', ...served() })}\n`);
    void standIn.settled().then(() => standIn.stop().then(() => process.exit(0)));
  });
}
