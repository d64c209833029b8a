/**
 * What the schema cache reads from PostgreSQL's catalogs (`schema-cache.ts` assembles it):
 * tables and views with their columns and keys, foreign keys, base tables of views,
 * functions, implicit casts (data representations), roles the authenticator may become,
 * and PostgREST's in-database settings.
 */
export const TABLES_SQL = `
select n.nspname as schema, c.relname as name, c.relkind::text as kind, c.oid::int8::text as oid,
  coalesce((select json_agg(json_build_object(
      'name', a.attname, 'type', case when coalesce(et.typnamespace, t.typnamespace) = 'pg_catalog'::regnamespace then format_type(a.atttypid, a.atttypmod)
        else format('%I.%I', (select tn.nspname from pg_namespace tn where tn.oid = coalesce(et.typnamespace, t.typnamespace)), coalesce(et.typname, t.typname)) || case when et.oid is null then '' else '[]' end end,
      'udt', coalesce(et.typname, case when t.typtype = 'd' then (
          with recursive d(base) as (select t.typbasetype union all select bt.typbasetype from d join pg_type bt on bt.oid = d.base where bt.typtype = 'd')
          select bt.typname from d join pg_type bt on bt.oid = d.base where bt.typtype <> 'd') else t.typname end), 'nullable', not a.attnotnull,
      'default', case
        when t.typbasetype <> 0 and d.adbin is null then pg_get_expr(t.typdefaultbin, 0)
        when a.attidentity = 'd' then format('nextval(%L)', pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname))
        when a.attgenerated <> '' then null
        else pg_get_expr(d.adbin, d.adrelid) end, 'generated', a.attgenerated <> '' or a.attidentity = 'a',
      'isArray', t.typcategory = 'A',
      -- For the OpenAPI document, as PostgREST reads columns: the type named as its schema cache
      -- does (built-in types and domains over them without modifiers, others as format_type()
      -- prints them under the search_path "$user", public), the comment, the enum labels of the
      -- (base) type and the maximum length of character types.
      'apiType', case when ob.nsp = 'pg_catalog'::regnamespace then format_type(ob.oid, null)
        else regexp_replace(format_type(a.atttypid, a.atttypmod), '^public\\.', '') end,
      'description', col_description(c.oid, a.attnum), 'domainNotNull', t.typtype = 'd' and t.typnotnull,
      'enum', (select json_agg(e.enumlabel order by e.enumsortorder) from pg_enum e where e.enumtypid = ob.oid),
      'maxLength', information_schema._pg_char_max_length(information_schema._pg_truetypid(a.*, t.*), information_schema._pg_truetypmod(a.*, t.*))
      ) order by a.attnum)
    from pg_attribute a
    join pg_type t on t.oid = a.atttypid
    left join pg_type bt on bt.oid = t.typbasetype
    left join pg_type et on et.oid = t.typelem and t.typcategory = 'A'
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    cross join lateral (select case when t.typtype <> 'd' then t.oid else (
        with recursive dom(base) as (select t.typbasetype union all select x.typbasetype from dom join pg_type x on x.oid = dom.base where x.typtype = 'd')
        select dom.base from dom join pg_type x on x.oid = dom.base where x.typtype <> 'd') end as oid) obase
    cross join lateral (select obase.oid, (select x.typnamespace from pg_type x where x.oid = obase.oid) as nsp) ob
    where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]') as columns,
  coalesce((select array_agg(a.attname order by array_position(con.conkey, a.attnum))
    from pg_constraint con join pg_attribute a on a.attrelid = con.conrelid and a.attnum = any(con.conkey)
    where con.conrelid = c.oid and con.contype = 'p'), '{}') as pk,
  c.relkind in ('r','p') or (pg_relation_is_updatable(c.oid, true) & 8) = 8 as insertable,
  c.relkind in ('r','p') or (pg_relation_is_updatable(c.oid, true) & 4) = 4 as updatable,
  c.relkind in ('r','p') or (pg_relation_is_updatable(c.oid, true) & 16) = 16 as deletable,
  case when c.relkind in ('v','m') then (select r.ev_action::text from pg_rewrite r where r.ev_class = c.oid and r.rulename = '_RETURN') end as view_def,
  obj_description(c.oid, 'pg_class') as description
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r','v','m','f','p') and not c.relispartition and n.nspname = any($1::text[])`;

export const BASE_TABLES_SQL = `
select c.oid::int8::text as oid, n.nspname as schema, c.relname as name,
  coalesce((select json_object_agg(a.attnum, a.attname) from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '{}') as cols,
  case when c.relkind in ('v','m') then (select r.ev_action::text from pg_rewrite r where r.ev_class = c.oid and r.rulename = '_RETURN') end as view_def,
  coalesce((select array_agg(a.attname order by array_position(con.conkey, a.attnum))
    from pg_constraint con join pg_attribute a on a.attrelid = con.conrelid and a.attnum = any(con.conkey)
    where con.conrelid = c.oid and con.contype = 'p'), '{}') as pk
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.oid = any($1::oid[])`;

export const FKS_SQL = `
select ns1.nspname as schema, tab.relname as name, ns2.nspname as fschema, other.relname as fname,
  con.conrelid = con.confrelid as is_self, con.conname as constraint_name,
  tab.relkind as kind,
  (select json_agg(json_build_array(a1.attname, a2.attname) order by k.ord)
     from unnest(con.conkey, con.confkey) with ordinality as k(col, ref, ord)
     join pg_attribute a1 on a1.attrelid = con.conrelid and a1.attnum = k.col
     join pg_attribute a2 on a2.attrelid = con.confrelid and a2.attnum = k.ref) as cols,
  exists (select 1 from pg_constraint u where u.conrelid = con.conrelid and u.contype in ('p','u')
     and (select array_agg(x order by x) from unnest(u.conkey) x) = (select array_agg(x order by x) from unnest(con.conkey) x)) as one_to_one,
  con.conrelid::int8::text as table_oid, con.confrelid::int8::text as ftable_oid
from pg_constraint con
join pg_class tab on tab.oid = con.conrelid join pg_namespace ns1 on ns1.oid = tab.relnamespace
join pg_class other on other.oid = con.confrelid join pg_namespace ns2 on ns2.oid = other.relnamespace
where con.contype = 'f' and con.conparentid = 0`;

export const ROUTINES_SQL = `
select p.oid::int8::text as oid, n.nspname as schema, p.proname as name, p.proretset as returns_set, p.provolatile::text as volatility,
  p.prorows as rows,
  format_type(p.prorettype, null) as return_type,
  rt.typtype::text as ret_typtype, rt.typrelid <> 0 as ret_is_rel,
  case when rt.typtype = 'd' and rt.typbasetype <> 'bytea'::regtype and rt.typname ~* '^[A-Za-z0-9.-]+/[A-Za-z0-9.+-]+$' then lower(rt.typname) end as ret_media,
  (select json_build_object('schema', rn.nspname, 'name', rc.relname) from pg_class rc join pg_namespace rn on rn.oid = rc.relnamespace where rc.oid = rt.typrelid and rc.relkind in ('r','v','m','f','p')) as ret_rel,
  coalesce((select json_agg(json_build_object(
      'name', coalesce(p.proargnames[k.ord], ''), 'type', case k.typ when 'bit'::regtype then 'bit varying' when 'bit[]'::regtype then 'bit varying[]'
        when 'character'::regtype then 'character varying' when 'character[]'::regtype then 'character varying[]'
        else format_type(k.typ, null) end, 'udt', t.typname,
      'mode', coalesce(p.proargmodes[k.ord], 'i')) order by k.ord)
    from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality as k(typ, ord)
    join pg_type t on t.oid = k.typ), '[]') as args,
  p.pronargdefaults as n_defaults, p.provariadic <> 0 as variadic, coalesce(p.proconfig, '{}') as config
from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_type rt on rt.oid = p.prorettype
where n.nspname = any($1::text[]) and p.prokind = 'f'`;

/**
 * PostgREST's data representations: implicit casts through a function from a domain to
 * json (how its values are written out) and from text or json to a domain (how filter
 * values and bodies are read), keyed `source|target` with types named as Column.type.
 */
export const REPRESENTATIONS_SQL = `
select case when sn.nspname = 'pg_catalog' then st.typname::text else format('%I.%I', sn.nspname, st.typname) end as source,
  case when tn.nspname = 'pg_catalog' then tt.typname::text else format('%I.%I', tn.nspname, tt.typname) end as target,
  format('%I.%I', pn.nspname, p.proname) as function
from pg_cast c
join pg_type st on st.oid = c.castsource join pg_namespace sn on sn.oid = st.typnamespace
join pg_type tt on tt.oid = c.casttarget join pg_namespace tn on tn.oid = tt.typnamespace
join pg_proc p on p.oid = c.castfunc join pg_namespace pn on pn.oid = p.pronamespace
where c.castcontext = 'i' and c.castmethod = 'f'
  and ((st.typtype = 'd' and c.casttarget in ('json'::regtype, 'text'::regtype)) or (tt.typtype = 'd' and c.castsource in ('json'::regtype, 'text'::regtype)))`;

export const ROLES_SQL = `
select r.rolname, exists (select 1 from pg_roles a where a.rolname = 'authenticator') and pg_has_role('authenticator', r.oid, 'member') and r.rolname <> 'authenticator' as assumable from pg_roles r`;

/** Settings of the roles the authenticator becomes (PostgREST applies them per request). */
export const ROLE_SETTINGS_SQL = `
with role_setting as (
  select r.rolname, unnest(r.rolconfig) as setting
  from pg_auth_members m join pg_roles r on r.oid = m.roleid
  where m.member = (select oid from pg_roles where rolname = 'authenticator')
), kv as (
  select rolname, substr(setting, 1, strpos(setting, '=') - 1) as key, substr(setting, strpos(setting, '=') + 1) as value
  from role_setting
)
select kv.rolname, kv.key, kv.value from kv
join pg_settings ps on ps.name = kv.key and (ps.context = 'user' or has_parameter_privilege('authenticator', ps.name, 'set'))
where kv.key <> 'default_transaction_isolation'
order by kv.rolname, kv.key`;

export const SETTINGS_SQL = `
select split_part(s, '=', 1) as key, substr(s, strpos(s, '=') + 1) as value
from pg_db_role_setting rs join pg_roles r on r.oid = rs.setrole, unnest(rs.setconfig) s
where r.rolname = 'authenticator' and s like 'pgrst.%'`;
