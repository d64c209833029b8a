import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '#lib/supabase/database.types.ts';

declare global {
	namespace App {
		/** The signed-in person as the verified access token names them. */
		interface AuthUser {
			id: string;
			email: string;
		}
		interface Locals {
			supabase: SupabaseClient<Database>;
			/** The verified user of this request, or null. Never trusts the cookie alone. */
			getUser: () => Promise<AuthUser | null>;
		}
		interface PageData {
			user?: { id: string; email: string; displayName: string; language: string | null } | null;
		}
	}
}

export {};
