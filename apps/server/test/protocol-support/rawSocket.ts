// The raw `ws` client lives in @meshpush/test-support; this path stays for the cluster-support
// files that import it.
export { rawConnect, RawSocket, type ReceivedFrame } from '@meshpush/test-support';
