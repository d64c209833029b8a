-- Demo data for `npm run dev`: a couple to sign in as and look around.
--   anna@samenspel.test / samenspel-demo   (Anna, Dutch)
--   ben@samenspel.test  / samenspel-demo   (Ben, English)
-- Accounts are inserted the way Supabase Auth stores them (bcrypt hash, confirmed
-- e-mail, an email identity), so the ordinary sign-in works.
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
  confirmation_token, recovery_token, email_change_token_new, email_change, email_change_token_current, reauthentication_token
) values
  ('00000000-0000-0000-0000-000000000000', 'a0a0a0a0-0000-4000-8000-000000000001', 'authenticated', 'authenticated',
   'anna@samenspel.test', extensions.crypt('samenspel-demo', extensions.gen_salt('bf', 10)), now(),
   '{"provider":"email","providers":["email"]}', '{"display_name":"Anna","language":"nl"}', now(), now(),
   '', '', '', '', '', ''),
  ('00000000-0000-0000-0000-000000000000', 'b0b0b0b0-0000-4000-8000-000000000002', 'authenticated', 'authenticated',
   'ben@samenspel.test', extensions.crypt('samenspel-demo', extensions.gen_salt('bf', 10)), now(),
   '{"provider":"email","providers":["email"]}', '{"display_name":"Ben","language":"en"}', now(), now(),
   '', '', '', '', '', '');

insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select u.id::text, u.id,
       jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', true, 'phone_verified', false),
       'email', now(), now(), now()
  from auth.users u
 where u.email in ('anna@samenspel.test', 'ben@samenspel.test');

-- Their profiles come from the sign-up trigger; their couple is made here.
insert into public.couples (id, created_by, created_at)
values ('c0c0c0c0-0000-4000-8000-000000000003', 'a0a0a0a0-0000-4000-8000-000000000001', now());

insert into public.couple_members (couple_id, user_id, role) values
  ('c0c0c0c0-0000-4000-8000-000000000003', 'a0a0a0a0-0000-4000-8000-000000000001', 'partner'),
  ('c0c0c0c0-0000-4000-8000-000000000003', 'b0b0b0b0-0000-4000-8000-000000000002', 'partner');
