// One implementation for every package's tests (tools/test-support).
export { freePort } from '@meshpush/test-support';
