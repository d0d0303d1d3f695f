// Lab 01: a kind cluster of the lab's own, with a private kubeconfig, ingress port mappings and a marker.
export { steps } from './steps.ts';
export { checks } from './checks.ts';
export { downSteps } from './down.ts';
