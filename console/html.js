import { h } from 'preact';
import htm from 'htm';

/** JSX-like templates without a build step (ADR 0025). */
export const html = htm.bind(h);
