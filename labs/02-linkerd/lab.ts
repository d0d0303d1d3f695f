// Lab 02: Linkerd 2.20 installed with Helm from identity certificates the lab makes, plus linkerd-viz and a mesh probe.
export { steps } from './steps.ts';
export { checks } from './checks.ts';
export { undo } from './undo.ts';
