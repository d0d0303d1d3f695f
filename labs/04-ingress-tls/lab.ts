// Lab 04: Emissary-ingress, meshed, terminating TLS for the app hostname with a certificate from the lab CA.
export { steps } from './steps.ts';
export { checks } from './checks.ts';
export { undo } from './undo.ts';
