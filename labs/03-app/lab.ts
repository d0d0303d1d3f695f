// Lab 03: a meshed sample app (podinfo frontend -> backend), each workload with its own mesh identity.
export { steps } from './steps.ts';
export { checks } from './checks.ts';
export { undo } from './undo.ts';
