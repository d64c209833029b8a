import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests (no I/O) and integration tests that each start a local
// Supabase runtime of their own. Integration files run two at a time (two cores).
export default defineConfig({
	test: {
		expect: { requireAssertions: true },
		projects: [
			{
				test: {
					name: 'unit',
					include: ['src/**/*.test.ts', 'supabase/local/**/*.test.ts'],
					environment: 'node'
				}
			},
			{
				test: {
					name: 'integration',
					include: ['tests/integration/**/*.test.ts'],
					environment: 'node',
					testTimeout: 60_000,
					hookTimeout: 120_000,
					maxWorkers: 2,
					fileParallelism: true
				}
			}
		]
	}
});
