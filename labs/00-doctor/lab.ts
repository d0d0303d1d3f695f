// Lab 00, doctor: no steps (it changes nothing), only checks that say what this machine lacks and how to fix it.
import type { Step } from '../../scripts/engine/types.ts';

export const steps: Step[] = [];

export { checks } from './checks.ts';
