import { liveFanOut } from '../live/consumer.js';
import { notifications } from '../notify/consumer.js';
import { slaClocks } from '../sla/consumer.js';
import { triggers } from '../rules/triggers.js';
import { reportFacts } from '../reports/consumer.js';
import type { Consumer } from './consumer.js';
import { webhooks } from '../webhooks/consumer.js';

/**
 * Every consumer of the event stream, in the order the worker runs them. Adding one is one file
 * (a `Consumer`) and one line here. Each keeps its own position (`consumer_positions`), so a new
 * consumer starts at the first event ever written (an ephemeral one, at the end of the stream).
 */
export const CONSUMERS: Consumer[] = [liveFanOut, notifications, slaClocks, reportFacts, triggers, webhooks];
