/**
 * The schema of the service's internal tables (inbox, dead letters, cursors, rate limits, domain
 * events, migration bookkeeping). Supabase's Data API serves `public`, not this (ADR 0013).
 */
export const INTERNAL_SCHEMA = 'ghl_sync';
