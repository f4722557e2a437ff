// The pusher-js helpers live in @meshpush/test-support; this path stays for the cluster-support
// and webhooks-heal files that import it.
export { authorizedClient, nextEvent, subscribed, type UserSpec } from '@meshpush/test-support';
