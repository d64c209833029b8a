import { paraglideVitePlugin } from '@inlang/paraglide-js';
import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, loadEnv } from 'vite';

// The Supabase API origin the browser talks to; the CSP must allow it for fetch and
// websockets. Read at build time from the same variable the app uses at run time.
type HostSource = `${string}://${string}.${string}`;
function originOf(url: string | undefined): HostSource {
	try {
		return new URL(url || 'http://127.0.0.1:54321').origin as HostSource;
	} catch {
		return 'http://127.0.0.1:54321';
	}
}

export default defineConfig(({ mode }) => {
	// The environment plus .env files, as the app itself sees them.
	const env = { ...loadEnv(mode, process.cwd(), ''), ...process.env };
	const supabaseOrigin = originOf(env.PUBLIC_SUPABASE_URL);
	const supabaseSocket = supabaseOrigin.replace(/^http/, 'ws') as HostSource;
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
						'connect-src': ['self', supabaseOrigin, supabaseSocket],
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
