import { paraglideVitePlugin } from '@inlang/paraglide-js';
import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, loadEnv } from 'vite';
import { SUPABASE_ORIGIN_STAND_IN, SUPABASE_SOCKET_STAND_IN } from './src/lib/server/csp.ts';

export default defineConfig(({ mode }) => {
	// The environment plus .env files, as the app itself sees them.
	const env = { ...loadEnv(mode, process.cwd(), ''), ...process.env };
	return {
		plugins: [
			paraglideVitePlugin({
				project: './project.inlang',
				outdir: './src/lib/paraglide',
				// Cookie first (the profile's choice is written there at sign-in), then the
				// browser's language on a first visit, then Dutch.
				strategy: ['cookie', 'preferredLanguage', 'baseLocale']
			}),
			sveltekit({
				// BUILD_DIR / SVELTEKIT_OUT_DIR let the end-to-end run build into a folder of its
				// own, so it never races another build in the same checkout.
				adapter: adapter({ out: env.BUILD_DIR || 'build' }),
				outDir: env.SVELTEKIT_OUT_DIR || '.svelte-kit',
				// The public origin, fixed at build time (adapter-node builds request URLs from
				// it, and the CSRF check compares form posts' Origin header with it). Unset, the
				// origin comes from the Host header with https, as behind a TLS proxy.
				paths: { origin: env.ORIGIN || undefined },
				csrf: { trustedOrigins: [] },
				csp: {
					mode: 'auto',
					directives: {
						'default-src': ['self'],
						'script-src': ['self'],
						'style-src': ['self', 'unsafe-inline'],
						'img-src': ['self', 'data:'],
						'font-src': ['self'],
						// The Supabase API (fetch and Realtime): stand-ins that src/hooks.server.ts
						// replaces by the origin of PUBLIC_SUPABASE_URL as the server runs.
						'connect-src': ['self', SUPABASE_ORIGIN_STAND_IN, SUPABASE_SOCKET_STAND_IN],
						'form-action': ['self'],
						'frame-ancestors': ['none'],
						'base-uri': ['self'],
						'object-src': ['none']
					}
				}
			})
		]
	};
});
