/** How outbound pushes appear in job data, logs and PostHog (`event_type`; `object_type: contact`). */
export const OUTBOUND_EVENT_TYPE = 'ContactOutbound';
