/** Types for launch.mjs (plain JavaScript, so the runtime's process never compiles TypeScript). */
export declare const RUNTIME_NODE_FLAGS: string[];
export declare function loadRuntime(): Promise<typeof import('./index.ts')>;
