/** Types for launch.mjs (plain JavaScript, so the runtime's process never compiles TypeScript). */
export declare function loadRuntime(): Promise<typeof import('./index.ts')>;
