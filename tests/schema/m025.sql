-- index agenda_runs_ok on agenda_runs
CREATE INDEX agenda_runs_ok ON agenda_runs(day) WHERE status <> 'failed';

-- index change_rows_key on change_rows
CREATE INDEX change_rows_key ON change_rows(tbl, kv);

-- index change_rows_moved on change_rows
CREATE INDEX change_rows_moved ON change_rows(tbl, kv_after) WHERE kv_after IS NOT NULL;

-- index companies_domain on companies
CREATE UNIQUE INDEX companies_domain ON companies(domain) WHERE domain IS NOT NULL;

-- index companies_name_key on companies
CREATE INDEX companies_name_key ON companies(name_key);

-- index company_field_values_field on company_field_values
CREATE INDEX company_field_values_field ON company_field_values(field_id, value);

-- index company_tags_tag on company_tags
CREATE INDEX company_tags_tag ON company_tags(tag_id);

-- index contact_addresses_contact on contact_addresses
CREATE INDEX contact_addresses_contact ON contact_addresses(contact_id);

-- index contact_emails_contact on contact_emails
CREATE INDEX contact_emails_contact ON contact_emails(contact_id);

-- index contact_faxes_contact on contact_faxes
CREATE INDEX contact_faxes_contact ON contact_faxes(contact_id);

-- index contact_field_values_field on contact_field_values
CREATE INDEX contact_field_values_field ON contact_field_values(field_id, value);

-- index contact_phones_contact on contact_phones
CREATE INDEX contact_phones_contact ON contact_phones(contact_id);

-- index contact_phones_tail on contact_phones
CREATE INDEX contact_phones_tail ON contact_phones(substr(replace(replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', ''), '+', ''), -8));

-- index contact_tags_tag on contact_tags
CREATE INDEX contact_tags_tag ON contact_tags(tag_id);

-- index contact_urls_contact on contact_urls
CREATE INDEX contact_urls_contact ON contact_urls(contact_id);

-- index contacts_anniversary_day on contacts
CREATE INDEX contacts_anniversary_day ON contacts(substr(anniversary, -5)) WHERE anniversary IS NOT NULL;

-- index contacts_birthday_day on contacts
CREATE INDEX contacts_birthday_day ON contacts(substr(birthday, -5)) WHERE birthday IS NOT NULL;

-- index contacts_cadence on contacts
CREATE INDEX contacts_cadence ON contacts(cadence_days) WHERE cadence_days IS NOT NULL;

-- index contacts_cadence_touch on contacts
CREATE INDEX contacts_cadence_touch ON contacts(cadence_days, archived_at, created_at, name) WHERE cadence_days IS NOT NULL;

-- index contacts_company on contacts
CREATE INDEX contacts_company ON contacts(company_id);

-- index contacts_created on contacts
CREATE INDEX contacts_created ON contacts(created_at);

-- index contacts_lifecycle_stage on contacts
CREATE INDEX contacts_lifecycle_stage ON contacts(lifecycle_stage);

-- index contacts_name_company on contacts
CREATE INDEX contacts_name_company ON contacts(name_key, company_id);

-- index contacts_source on contacts
CREATE INDEX contacts_source ON contacts(source);

-- index deal_contacts_contact on deal_contacts
CREATE INDEX deal_contacts_contact ON deal_contacts(contact_id);

-- index deal_field_values_field on deal_field_values
CREATE INDEX deal_field_values_field ON deal_field_values(field_id, value);

-- index deal_history_at on deal_history
CREATE INDEX deal_history_at ON deal_history(at);

-- index deal_history_deal on deal_history
CREATE INDEX deal_history_deal ON deal_history(deal_id, at);

-- index deal_history_status on deal_history
CREATE INDEX deal_history_status ON deal_history(deal_id, to_status, at);

-- index deal_tags_tag on deal_tags
CREATE INDEX deal_tags_tag ON deal_tags(tag_id);

-- index deals_board on deals
CREATE INDEX deals_board ON deals(pipeline_id, status, stage_id, value);

-- index deals_close on deals
CREATE INDEX deals_close ON deals(status, expected_close);

-- index deals_closed on deals
CREATE INDEX deals_closed ON deals(closed_at) WHERE closed_at IS NOT NULL;

-- index deals_company on deals
CREATE INDEX deals_company ON deals(company_id);

-- index deals_idle on deals
CREATE INDEX deals_idle ON deals(status, last_activity_at, expected_close, stage_id, pipeline_id);

-- index deals_open on deals
CREATE INDEX deals_open ON deals(stage_id, currency, expected_close, value, created_at, last_activity_at) WHERE status = 'open';

-- index deals_stage on deals
CREATE INDEX deals_stage ON deals(stage_id);

-- index deals_title_key on deals
CREATE INDEX deals_title_key ON deals(title_key);

-- index interaction_contacts_at on interaction_contacts
CREATE INDEX interaction_contacts_at ON interaction_contacts(at, contact_id);

-- index interaction_contacts_contact_at on interaction_contacts
CREATE INDEX interaction_contacts_contact_at ON interaction_contacts(contact_id, at);

-- index interactions_at on interactions
CREATE INDEX interactions_at ON interactions(at);

-- index interactions_at_kind on interactions
CREATE INDEX interactions_at_kind ON interactions(at, kind);

-- index interactions_cancelled on interactions
CREATE INDEX interactions_cancelled ON interactions(at, kind) WHERE cancelled_at IS NOT NULL;

-- index interactions_company on interactions
CREATE INDEX interactions_company ON interactions(company_id, at);

-- index interactions_deal on interactions
CREATE INDEX interactions_deal ON interactions(deal_id, at);

-- index interactions_external on interactions
CREATE UNIQUE INDEX interactions_external ON interactions(source, external_id) WHERE external_id IS NOT NULL;

-- index interactions_origin on interactions
CREATE INDEX interactions_origin ON interactions(origin, at) WHERE origin IS NOT NULL;

-- index interactions_thread on interactions
CREATE INDEX interactions_thread ON interactions(source, thread_id) WHERE thread_id IS NOT NULL;

-- index lifecycle_history_at on lifecycle_history
CREATE INDEX lifecycle_history_at ON lifecycle_history(at);

-- index lifecycle_history_company on lifecycle_history
CREATE INDEX lifecycle_history_company ON lifecycle_history(company_id, at);

-- index lifecycle_history_contact on lifecycle_history
CREATE INDEX lifecycle_history_contact ON lifecycle_history(contact_id, at);

-- index merges_undone on merges
CREATE INDEX merges_undone ON merges(undone_at, id);

-- index pipelines_one_default on pipelines
CREATE UNIQUE INDEX pipelines_one_default ON pipelines(is_default) WHERE is_default = 1;

-- index stages_pipeline on stages
CREATE INDEX stages_pipeline ON stages(pipeline_id, position);

-- index tasks_company on tasks
CREATE INDEX tasks_company ON tasks(company_id);

-- index tasks_contact on tasks
CREATE INDEX tasks_contact ON tasks(contact_id);

-- index tasks_deal on tasks
CREATE INDEX tasks_deal ON tasks(deal_id);

-- index tasks_done on tasks
CREATE INDEX tasks_done ON tasks(done_at) WHERE status = 'done';

-- index tasks_due on tasks
CREATE INDEX tasks_due ON tasks(status, due_date, done_at);

-- index tasks_open_deal on tasks
CREATE INDEX tasks_open_deal ON tasks(deal_id) WHERE status = 'open';

-- index vdir_items_record on vdir_items
CREATE INDEX vdir_items_record ON vdir_items(kind, record_id);

-- table agenda_runs on agenda_runs
CREATE TABLE agenda_runs ( id INTEGER PRIMARY KEY, ran_at TEXT NOT NULL, day TEXT NOT NULL, zone TEXT NOT NULL, delivery TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('delivered', 'silent', 'failed')), exit_code INTEGER, error TEXT, shown TEXT NOT NULL DEFAULT '[]' );

-- table change_rows on change_rows
CREATE TABLE change_rows ( change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE, seq INTEGER NOT NULL, tbl TEXT NOT NULL, key TEXT NOT NULL, kv TEXT, kv_after TEXT, before TEXT, after TEXT, PRIMARY KEY (change_id, seq) ) WITHOUT ROWID;

-- table changes on changes
CREATE TABLE changes ( id INTEGER PRIMARY KEY, at TEXT NOT NULL, argv TEXT NOT NULL, summary TEXT NOT NULL, undone_at TEXT, undo_of INTEGER REFERENCES changes(id) );

-- table companies on companies
CREATE TABLE companies ( id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, name TEXT NOT NULL, name_key TEXT NOT NULL, domain TEXT, website TEXT, industry TEXT, size TEXT, note TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL , lifecycle_stage TEXT);

-- table company_field_values on company_field_values
CREATE TABLE company_field_values ( company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE, field_id INTEGER NOT NULL REFERENCES fields(id) ON DELETE CASCADE, value NOT NULL CHECK (typeof(value) IN ('integer', 'real', 'text')), PRIMARY KEY (company_id, field_id) ) WITHOUT ROWID;

-- table company_tags on company_tags
CREATE TABLE company_tags ( company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE, tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE, PRIMARY KEY (company_id, tag_id) ) WITHOUT ROWID;

-- table contact_addresses on contact_addresses
CREATE TABLE contact_addresses ( id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, label TEXT, street TEXT, locality TEXT, region TEXT, postcode TEXT, country TEXT, position INTEGER NOT NULL DEFAULT 0 );

-- table contact_emails on contact_emails
CREATE TABLE contact_emails ( id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, email TEXT NOT NULL UNIQUE, label TEXT, position INTEGER NOT NULL DEFAULT 0 );

-- table contact_faxes on contact_faxes
CREATE TABLE contact_faxes ( id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, phone TEXT NOT NULL, label TEXT, position INTEGER NOT NULL DEFAULT 0 );

-- table contact_field_values on contact_field_values
CREATE TABLE contact_field_values ( contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, field_id INTEGER NOT NULL REFERENCES fields(id) ON DELETE CASCADE, value NOT NULL CHECK (typeof(value) IN ('integer', 'real', 'text')), PRIMARY KEY (contact_id, field_id) ) WITHOUT ROWID;

-- table contact_phones on contact_phones
CREATE TABLE contact_phones ( id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, phone TEXT NOT NULL, label TEXT, position INTEGER NOT NULL DEFAULT 0 );

-- table contact_tags on contact_tags
CREATE TABLE contact_tags ( contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE, PRIMARY KEY (contact_id, tag_id) ) WITHOUT ROWID;

-- table contact_touch on contact_touch
CREATE TABLE contact_touch ( contact_id INTEGER PRIMARY KEY, at TEXT NOT NULL );

-- table contact_urls on contact_urls
CREATE TABLE contact_urls ( id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, url TEXT NOT NULL, label TEXT, position INTEGER NOT NULL DEFAULT 0 );

-- table contact_vcards on contact_vcards
CREATE TABLE contact_vcards ( contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE, card TEXT NOT NULL ) WITHOUT ROWID;

-- table contacts on contacts
CREATE TABLE contacts ( id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, name TEXT NOT NULL, name_key TEXT NOT NULL, company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL, title TEXT, source TEXT, birthday TEXT, note TEXT, last_contacted_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL , cadence_days INTEGER CHECK (cadence_days IS NULL OR cadence_days > 0), anniversary TEXT, lifecycle_stage TEXT, nickname TEXT, archived_at TEXT);

-- table currencies on currencies
CREATE TABLE currencies ( code TEXT PRIMARY KEY, exponent INTEGER NOT NULL CHECK (exponent BETWEEN 0 AND 4), name TEXT NOT NULL );

-- table deal_contacts on deal_contacts
CREATE TABLE deal_contacts ( deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, role TEXT, PRIMARY KEY (deal_id, contact_id) ) WITHOUT ROWID;

-- table deal_field_values on deal_field_values
CREATE TABLE deal_field_values ( deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE, field_id INTEGER NOT NULL REFERENCES fields(id) ON DELETE CASCADE, value NOT NULL CHECK (typeof(value) IN ('integer', 'real', 'text')), PRIMARY KEY (deal_id, field_id) ) WITHOUT ROWID;

-- table deal_history on deal_history
CREATE TABLE deal_history ( id INTEGER PRIMARY KEY, deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE, at TEXT NOT NULL, from_stage_id INTEGER REFERENCES stages(id) ON DELETE SET NULL, from_stage TEXT, to_stage_id INTEGER REFERENCES stages(id) ON DELETE SET NULL, to_stage TEXT, from_status TEXT, to_status TEXT NOT NULL, note TEXT );

-- table deal_tags on deal_tags
CREATE TABLE deal_tags ( deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE, tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE, PRIMARY KEY (deal_id, tag_id) ) WITHOUT ROWID;

-- table deals on deals
CREATE TABLE deals ( id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, title TEXT NOT NULL, title_key TEXT NOT NULL, value INTEGER NOT NULL DEFAULT 0 CHECK (value >= 0), currency TEXT NOT NULL REFERENCES currencies(code), company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL, pipeline_id INTEGER NOT NULL REFERENCES pipelines(id), stage_id INTEGER NOT NULL REFERENCES stages(id), status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')), expected_close TEXT, source TEXT, lost_reason TEXT, closed_at TEXT, note TEXT, stage_entered_at TEXT NOT NULL, last_activity_at TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL );

-- table deletions on deletions
CREATE TABLE deletions ( id INTEGER PRIMARY KEY, kind TEXT NOT NULL, uid TEXT NOT NULL, deleted_at TEXT NOT NULL );

-- table fields on fields
CREATE TABLE fields ( id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('contact', 'company', 'deal')), name TEXT NOT NULL COLLATE NOCASE, type TEXT NOT NULL CHECK (type IN ('text', 'number', 'date', 'choice')), choices TEXT, -- a JSON array of the choices, for type 'choice' only created_at TEXT NOT NULL, UNIQUE (kind, name), CHECK ((type = 'choice') = (choices IS NOT NULL)) );

-- table interaction_contacts on interaction_contacts
CREATE TABLE interaction_contacts ( interaction_id INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, at TEXT, PRIMARY KEY (interaction_id, contact_id) ) WITHOUT ROWID;

-- table interaction_kind_aliases on interaction_kind_aliases
CREATE TABLE interaction_kind_aliases ( alias TEXT PRIMARY KEY COLLATE NOCASE, kind TEXT NOT NULL REFERENCES interaction_kinds(name) ON DELETE CASCADE );

-- table interaction_kinds on interaction_kinds
CREATE TABLE interaction_kinds ( name TEXT PRIMARY KEY COLLATE NOCASE, position INTEGER NOT NULL, builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)) );

-- table interactions on interactions
CREATE TABLE "interactions" ( id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, kind TEXT NOT NULL REFERENCES interaction_kinds(name), at TEXT NOT NULL, text TEXT NOT NULL, company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL, created_at TEXT NOT NULL, deal_id INTEGER REFERENCES deals(id) ON DELETE SET NULL, cancelled_at TEXT , source TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'mail', 'calendar')), external_id TEXT, direction TEXT CHECK (direction IN ('in', 'out')), thread_id TEXT, origin TEXT, captured_as TEXT);

-- table lifecycle_history on lifecycle_history
CREATE TABLE lifecycle_history ( id INTEGER PRIMARY KEY, contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE, company_id INTEGER REFERENCES companies(id) ON DELETE CASCADE, at TEXT NOT NULL, from_stage TEXT, to_stage TEXT NOT NULL, reason TEXT, CHECK ((contact_id IS NULL) <> (company_id IS NULL)) );

-- table lifecycle_stages on lifecycle_stages
CREATE TABLE lifecycle_stages ( id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, position INTEGER NOT NULL, is_exit INTEGER NOT NULL DEFAULT 0 CHECK (is_exit IN (0, 1)) );

-- table merges on merges
CREATE TABLE merges ( id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('contact', 'company')), keep_id INTEGER NOT NULL, other_id INTEGER NOT NULL, other_uid TEXT NOT NULL, other_name TEXT NOT NULL, other_row TEXT NOT NULL, changes TEXT NOT NULL, merged_at TEXT NOT NULL, undone_at TEXT );

-- table pipelines on pipelines
CREATE TABLE pipelines ( id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE COLLATE NOCASE, is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)), created_at TEXT NOT NULL );

-- table replica_writer on replica_writer
CREATE TABLE replica_writer ( id INTEGER PRIMARY KEY CHECK (id = 1), host_id TEXT NOT NULL, host_name TEXT NOT NULL, since TEXT NOT NULL );

-- table score_rules on score_rules
CREATE TABLE score_rules ( id INTEGER PRIMARY KEY AUTOINCREMENT, rule TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL );

-- table search_index on search_index
CREATE VIRTUAL TABLE search_index USING fts5( kind UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2' );

-- table search_index_config on search_index_config
CREATE TABLE 'search_index_config'(k PRIMARY KEY, v) WITHOUT ROWID;

-- table search_index_content on search_index_content
CREATE TABLE 'search_index_content'(id INTEGER PRIMARY KEY, c0, c1, c2);

-- table search_index_data on search_index_data
CREATE TABLE 'search_index_data'(id INTEGER PRIMARY KEY, block BLOB);

-- table search_index_docsize on search_index_docsize
CREATE TABLE 'search_index_docsize'(id INTEGER PRIMARY KEY, sz BLOB);

-- table search_index_idx on search_index_idx
CREATE TABLE 'search_index_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;

-- table settings on settings
CREATE TABLE settings ( key TEXT PRIMARY KEY, value TEXT NOT NULL );

-- table stages on stages
CREATE TABLE stages ( id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, pipeline_id INTEGER NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE, name TEXT NOT NULL COLLATE NOCASE, position INTEGER NOT NULL, probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100), rot_days INTEGER CHECK (rot_days IS NULL OR rot_days > 0), UNIQUE (pipeline_id, name) );

-- table tags on tags
CREATE TABLE tags ( id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE );

-- table tasks on tasks
CREATE TABLE tasks ( id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, title TEXT NOT NULL, contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL, deal_id INTEGER REFERENCES deals(id) ON DELETE SET NULL, company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL, due_date TEXT NOT NULL, due_at TEXT, rrule TEXT, series_start TEXT, status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')), done_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, CHECK ((rrule IS NULL) = (series_start IS NULL)), CHECK ((status = 'done') = (done_at IS NOT NULL)) );

-- table vdir_items on vdir_items
CREATE TABLE vdir_items ( collection TEXT NOT NULL, uid TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('contact', 'task')), record_id INTEGER NOT NULL, sha256 TEXT NOT NULL, pcrm_sha256 TEXT NOT NULL, content TEXT NOT NULL, synced_at TEXT NOT NULL, PRIMARY KEY (collection, uid) ) WITHOUT ROWID;

-- trigger companies_search_deals on companies
CREATE TRIGGER companies_search_deals AFTER UPDATE OF name ON companies BEGIN DELETE FROM search_index WHERE rowid IN (SELECT id * 8 + 4 FROM deals WHERE company_id = NEW.id); INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'deal', title, body FROM deal_search_docs WHERE id IN (SELECT id FROM deals WHERE company_id = NEW.id); END;

-- trigger companies_search_delete on companies
CREATE TRIGGER companies_search_delete AFTER DELETE ON companies BEGIN DELETE FROM search_index WHERE rowid = OLD.id * 8 + 2; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'company', title, body FROM company_search_docs WHERE id = OLD.id; END;

-- trigger companies_search_insert on companies
CREATE TRIGGER companies_search_insert AFTER INSERT ON companies BEGIN DELETE FROM search_index WHERE rowid = NEW.id * 8 + 2; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'company', title, body FROM company_search_docs WHERE id = NEW.id; END;

-- trigger companies_search_people on companies
CREATE TRIGGER companies_search_people AFTER UPDATE OF name ON companies BEGIN DELETE FROM search_index WHERE rowid IN (SELECT id * 8 + 1 FROM contacts WHERE company_id = NEW.id); INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id IN (SELECT id FROM contacts WHERE company_id = NEW.id); END;

-- trigger companies_search_update on companies
CREATE TRIGGER companies_search_update AFTER UPDATE OF name, domain, website, industry, note ON companies BEGIN DELETE FROM search_index WHERE rowid = OLD.id * 8 + 2; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'company', title, body FROM company_search_docs WHERE id = OLD.id; DELETE FROM search_index WHERE rowid = NEW.id * 8 + 2; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'company', title, body FROM company_search_docs WHERE id = NEW.id; END;

-- trigger company_tags_search_delete on company_tags
CREATE TRIGGER company_tags_search_delete AFTER DELETE ON company_tags BEGIN DELETE FROM search_index WHERE rowid = OLD.company_id * 8 + 2; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'company', title, body FROM company_search_docs WHERE id = OLD.company_id; END;

-- trigger company_tags_search_insert on company_tags
CREATE TRIGGER company_tags_search_insert AFTER INSERT ON company_tags BEGIN DELETE FROM search_index WHERE rowid = NEW.company_id * 8 + 2; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'company', title, body FROM company_search_docs WHERE id = NEW.company_id; END;

-- trigger company_tags_search_update on company_tags
CREATE TRIGGER company_tags_search_update AFTER UPDATE ON company_tags BEGIN DELETE FROM search_index WHERE rowid = OLD.company_id * 8 + 2; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'company', title, body FROM company_search_docs WHERE id = OLD.company_id; DELETE FROM search_index WHERE rowid = NEW.company_id * 8 + 2; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'company', title, body FROM company_search_docs WHERE id = NEW.company_id; END;

-- trigger contact_addresses_search_delete on contact_addresses
CREATE TRIGGER contact_addresses_search_delete AFTER DELETE ON contact_addresses BEGIN DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = OLD.contact_id; END;

-- trigger contact_addresses_search_insert on contact_addresses
CREATE TRIGGER contact_addresses_search_insert AFTER INSERT ON contact_addresses BEGIN DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = NEW.contact_id; END;

-- trigger contact_addresses_search_update on contact_addresses
CREATE TRIGGER contact_addresses_search_update AFTER UPDATE ON contact_addresses BEGIN DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = OLD.contact_id; DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = NEW.contact_id; END;

-- trigger contact_emails_search_delete on contact_emails
CREATE TRIGGER contact_emails_search_delete AFTER DELETE ON contact_emails BEGIN DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = OLD.contact_id; END;

-- trigger contact_emails_search_insert on contact_emails
CREATE TRIGGER contact_emails_search_insert AFTER INSERT ON contact_emails BEGIN DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = NEW.contact_id; END;

-- trigger contact_emails_search_update on contact_emails
CREATE TRIGGER contact_emails_search_update AFTER UPDATE ON contact_emails BEGIN DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = OLD.contact_id; DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = NEW.contact_id; END;

-- trigger contact_phones_search_delete on contact_phones
CREATE TRIGGER contact_phones_search_delete AFTER DELETE ON contact_phones BEGIN DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = OLD.contact_id; END;

-- trigger contact_phones_search_insert on contact_phones
CREATE TRIGGER contact_phones_search_insert AFTER INSERT ON contact_phones BEGIN DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = NEW.contact_id; END;

-- trigger contact_phones_search_update on contact_phones
CREATE TRIGGER contact_phones_search_update AFTER UPDATE ON contact_phones BEGIN DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = OLD.contact_id; DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = NEW.contact_id; END;

-- trigger contact_tags_search_delete on contact_tags
CREATE TRIGGER contact_tags_search_delete AFTER DELETE ON contact_tags BEGIN DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = OLD.contact_id; END;

-- trigger contact_tags_search_insert on contact_tags
CREATE TRIGGER contact_tags_search_insert AFTER INSERT ON contact_tags BEGIN DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = NEW.contact_id; END;

-- trigger contact_tags_search_update on contact_tags
CREATE TRIGGER contact_tags_search_update AFTER UPDATE ON contact_tags BEGIN DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = OLD.contact_id; DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = NEW.contact_id; END;

-- trigger contact_touch_delete on interaction_contacts
CREATE TRIGGER contact_touch_delete AFTER DELETE ON interaction_contacts WHEN OLD.at IS NOT NULL BEGIN DELETE FROM contact_touch WHERE contact_id = OLD.contact_id AND at <= OLD.at; INSERT INTO contact_touch(contact_id, at) SELECT contact_id, max(at) FROM interaction_contacts WHERE contact_id = OLD.contact_id AND at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contact_touch WHERE contact_id = OLD.contact_id) GROUP BY contact_id; END;

-- trigger contact_touch_earlier on interaction_contacts
CREATE TRIGGER contact_touch_earlier AFTER UPDATE OF at, contact_id ON interaction_contacts WHEN OLD.at IS NOT NULL AND (NEW.at IS NULL OR NEW.at < OLD.at OR NEW.contact_id <> OLD.contact_id) BEGIN DELETE FROM contact_touch WHERE contact_id = OLD.contact_id AND at <= OLD.at; INSERT INTO contact_touch(contact_id, at) SELECT contact_id, max(at) FROM interaction_contacts WHERE contact_id = OLD.contact_id AND at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contact_touch WHERE contact_id = OLD.contact_id) GROUP BY contact_id; END;

-- trigger contact_touch_insert on interaction_contacts
CREATE TRIGGER contact_touch_insert AFTER INSERT ON interaction_contacts WHEN NEW.at IS NOT NULL BEGIN INSERT INTO contact_touch(contact_id, at) VALUES (NEW.contact_id, NEW.at) ON CONFLICT(contact_id) DO UPDATE SET at = excluded.at WHERE excluded.at > contact_touch.at; END;

-- trigger contact_touch_later on interaction_contacts
CREATE TRIGGER contact_touch_later AFTER UPDATE OF at, contact_id ON interaction_contacts WHEN NEW.at IS NOT NULL BEGIN INSERT INTO contact_touch(contact_id, at) VALUES (NEW.contact_id, NEW.at) ON CONFLICT(contact_id) DO UPDATE SET at = excluded.at WHERE excluded.at > contact_touch.at; END;

-- trigger contact_urls_search_delete on contact_urls
CREATE TRIGGER contact_urls_search_delete AFTER DELETE ON contact_urls BEGIN DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = OLD.contact_id; END;

-- trigger contact_urls_search_insert on contact_urls
CREATE TRIGGER contact_urls_search_insert AFTER INSERT ON contact_urls BEGIN DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = NEW.contact_id; END;

-- trigger contact_urls_search_update on contact_urls
CREATE TRIGGER contact_urls_search_update AFTER UPDATE ON contact_urls BEGIN DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = OLD.contact_id; DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = NEW.contact_id; END;

-- trigger contacts_search_delete on contacts
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN DELETE FROM search_index WHERE rowid = OLD.id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = OLD.id; END;

-- trigger contacts_search_insert on contacts
CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN DELETE FROM search_index WHERE rowid = NEW.id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = NEW.id; END;

-- trigger contacts_search_nickname on contacts
CREATE TRIGGER contacts_search_nickname AFTER UPDATE OF nickname ON contacts BEGIN DELETE FROM search_index WHERE rowid = NEW.id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = NEW.id; END;

-- trigger contacts_search_update on contacts
CREATE TRIGGER contacts_search_update AFTER UPDATE OF name, title, source, note, company_id ON contacts BEGIN DELETE FROM search_index WHERE rowid = OLD.id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = OLD.id; DELETE FROM search_index WHERE rowid = NEW.id * 8 + 1; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body FROM contact_search_docs WHERE id = NEW.id; END;

-- trigger deal_tags_search_delete on deal_tags
CREATE TRIGGER deal_tags_search_delete AFTER DELETE ON deal_tags BEGIN DELETE FROM search_index WHERE rowid = OLD.deal_id * 8 + 4; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'deal', title, body FROM deal_search_docs WHERE id = OLD.deal_id; END;

-- trigger deal_tags_search_insert on deal_tags
CREATE TRIGGER deal_tags_search_insert AFTER INSERT ON deal_tags BEGIN DELETE FROM search_index WHERE rowid = NEW.deal_id * 8 + 4; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'deal', title, body FROM deal_search_docs WHERE id = NEW.deal_id; END;

-- trigger deal_tags_search_update on deal_tags
CREATE TRIGGER deal_tags_search_update AFTER UPDATE ON deal_tags BEGIN DELETE FROM search_index WHERE rowid = OLD.deal_id * 8 + 4; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'deal', title, body FROM deal_search_docs WHERE id = OLD.deal_id; DELETE FROM search_index WHERE rowid = NEW.deal_id * 8 + 4; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'deal', title, body FROM deal_search_docs WHERE id = NEW.deal_id; END;

-- trigger deals_search_delete on deals
CREATE TRIGGER deals_search_delete AFTER DELETE ON deals BEGIN DELETE FROM search_index WHERE rowid = OLD.id * 8 + 4; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'deal', title, body FROM deal_search_docs WHERE id = OLD.id; END;

-- trigger deals_search_insert on deals
CREATE TRIGGER deals_search_insert AFTER INSERT ON deals BEGIN DELETE FROM search_index WHERE rowid = NEW.id * 8 + 4; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'deal', title, body FROM deal_search_docs WHERE id = NEW.id; END;

-- trigger deals_search_update on deals
CREATE TRIGGER deals_search_update AFTER UPDATE OF title, company_id, source, lost_reason, note ON deals BEGIN DELETE FROM search_index WHERE rowid = OLD.id * 8 + 4; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'deal', title, body FROM deal_search_docs WHERE id = OLD.id; DELETE FROM search_index WHERE rowid = NEW.id * 8 + 4; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'deal', title, body FROM deal_search_docs WHERE id = NEW.id; END;

-- trigger interaction_contacts_at on interaction_contacts
CREATE TRIGGER interaction_contacts_at AFTER INSERT ON interaction_contacts BEGIN UPDATE interaction_contacts SET at = (SELECT CASE WHEN i.cancelled_at IS NULL THEN i.at END FROM interactions i WHERE i.id = NEW.interaction_id) WHERE interaction_id = NEW.interaction_id AND contact_id = NEW.contact_id; END;

-- trigger interactions_at_links on interactions
CREATE TRIGGER interactions_at_links AFTER UPDATE OF at, cancelled_at ON interactions BEGIN UPDATE interaction_contacts SET at = CASE WHEN NEW.cancelled_at IS NULL THEN NEW.at END WHERE interaction_id = NEW.id; END;

-- trigger interactions_search_delete on interactions
CREATE TRIGGER interactions_search_delete AFTER DELETE ON interactions BEGIN DELETE FROM search_index WHERE rowid = OLD.id * 8 + 3; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'interaction', title, body FROM interaction_search_docs WHERE id = OLD.id; END;

-- trigger interactions_search_insert on interactions
CREATE TRIGGER interactions_search_insert AFTER INSERT ON interactions BEGIN DELETE FROM search_index WHERE rowid = NEW.id * 8 + 3; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'interaction', title, body FROM interaction_search_docs WHERE id = NEW.id; END;

-- trigger interactions_search_update on interactions
CREATE TRIGGER interactions_search_update AFTER UPDATE OF kind, text ON interactions BEGIN DELETE FROM search_index WHERE rowid = OLD.id * 8 + 3; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'interaction', title, body FROM interaction_search_docs WHERE id = OLD.id; DELETE FROM search_index WHERE rowid = NEW.id * 8 + 3; INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'interaction', title, body FROM interaction_search_docs WHERE id = NEW.id; END;

-- view company_search_docs on company_search_docs
CREATE VIEW company_search_docs AS SELECT co.id AS id, co.id * 8 + 2 AS doc, co.name AS title, trim(coalesce(co.domain, '') || ' ' || coalesce(co.website, '') || ' ' || coalesce(co.industry, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM company_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.company_id = co.id), '') || ' ' || coalesce(co.note, '')) AS body FROM companies co;

-- view contact_search_docs on contact_search_docs
CREATE VIEW contact_search_docs AS SELECT c.id AS id, c.id * 8 + 1 AS doc, c.name AS title, trim(coalesce((SELECT group_concat(email, ' ') FROM contact_emails WHERE contact_id = c.id), '') || ' ' || coalesce((SELECT group_concat(phone, ' ') FROM contact_phones WHERE contact_id = c.id), '') || ' ' || coalesce(c.title, '') || ' ' || coalesce(co.name, '') || ' ' || coalesce(c.source, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = c.id), '') || ' ' || coalesce(c.note, '') || ' ' || coalesce(c.nickname, '') || ' ' || coalesce((SELECT group_concat(trim(coalesce(a.locality, '') || ' ' || coalesce(a.region, '') || ' ' || coalesce(a.country, '')), ' ') FROM contact_addresses a WHERE a.contact_id = c.id), '') || ' ' || coalesce((SELECT group_concat(url, ' ') FROM contact_urls WHERE contact_id = c.id), '')) AS body FROM contacts c LEFT JOIN companies co ON co.id = c.company_id;

-- view deal_search_docs on deal_search_docs
CREATE VIEW deal_search_docs AS SELECT d.id AS id, d.id * 8 + 4 AS doc, d.title AS title, trim(coalesce(co.name, '') || ' ' || coalesce(d.source, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM deal_tags dt JOIN tags t ON t.id = dt.tag_id WHERE dt.deal_id = d.id), '') || ' ' || coalesce(d.lost_reason, '') || ' ' || coalesce(d.note, '')) AS body FROM deals d LEFT JOIN companies co ON co.id = d.company_id;

-- view interaction_search_docs on interaction_search_docs
CREATE VIEW interaction_search_docs AS SELECT i.id AS id, i.id * 8 + 3 AS doc, i.kind AS title, i.text AS body FROM interactions i;

