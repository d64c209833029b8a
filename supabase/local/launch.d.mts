/** Types for launch.mjs (plain JavaScript, so the runtime's process never compiles TypeScript). */
export declare function loadRuntime(): Promise<typeof import('./index.ts')>;
/** Node flags a runtime process runs with (npm run supabase:start passes them). */
export declare const RUNTIME_NODE_FLAGS: string[];
