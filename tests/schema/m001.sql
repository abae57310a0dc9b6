-- index companies_domain on companies
CREATE UNIQUE INDEX companies_domain ON companies(domain) WHERE domain IS NOT NULL;

-- index companies_name_key on companies
CREATE INDEX companies_name_key ON companies(name_key);

-- index company_tags_tag on company_tags
CREATE INDEX company_tags_tag ON company_tags(tag_id);

-- index contact_emails_contact on contact_emails
CREATE INDEX contact_emails_contact ON contact_emails(contact_id);

-- index contact_phones_contact on contact_phones
CREATE INDEX contact_phones_contact ON contact_phones(contact_id);

-- index contact_tags_tag on contact_tags
CREATE INDEX contact_tags_tag ON contact_tags(tag_id);

-- index contacts_company on contacts
CREATE INDEX contacts_company ON contacts(company_id);

-- index contacts_name_key on contacts
CREATE INDEX contacts_name_key ON contacts(name_key);

-- index contacts_source on contacts
CREATE INDEX contacts_source ON contacts(source);

-- index interaction_contacts_contact on interaction_contacts
CREATE INDEX interaction_contacts_contact ON interaction_contacts(contact_id);

-- index interactions_at on interactions
CREATE INDEX interactions_at ON interactions(at);

-- index interactions_company on interactions
CREATE INDEX interactions_company ON interactions(company_id, at);

-- table companies on companies
CREATE TABLE companies ( id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, name TEXT NOT NULL, name_key TEXT NOT NULL, domain TEXT, website TEXT, industry TEXT, size TEXT, note TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL );

-- table company_tags on company_tags
CREATE TABLE company_tags ( company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE, tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE, PRIMARY KEY (company_id, tag_id) ) WITHOUT ROWID;

-- table contact_emails on contact_emails
CREATE TABLE contact_emails ( id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, email TEXT NOT NULL UNIQUE, label TEXT, position INTEGER NOT NULL DEFAULT 0 );

-- table contact_phones on contact_phones
CREATE TABLE contact_phones ( id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, phone TEXT NOT NULL, label TEXT, position INTEGER NOT NULL DEFAULT 0 );

-- table contact_tags on contact_tags
CREATE TABLE contact_tags ( contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE, PRIMARY KEY (contact_id, tag_id) ) WITHOUT ROWID;

-- table contacts on contacts
CREATE TABLE contacts ( id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, name TEXT NOT NULL, name_key TEXT NOT NULL, company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL, title TEXT, source TEXT, birthday TEXT, note TEXT, last_contacted_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL );

-- table deletions on deletions
CREATE TABLE deletions ( id INTEGER PRIMARY KEY, kind TEXT NOT NULL, uid TEXT NOT NULL, deleted_at TEXT NOT NULL );

-- table interaction_contacts on interaction_contacts
CREATE TABLE interaction_contacts ( interaction_id INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE, PRIMARY KEY (interaction_id, contact_id) ) WITHOUT ROWID;

-- table interactions on interactions
CREATE TABLE interactions ( id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, kind TEXT NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'demo', 'message', 'note')), at TEXT NOT NULL, text TEXT NOT NULL, company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL, created_at TEXT NOT NULL );

-- table settings on settings
CREATE TABLE settings ( key TEXT PRIMARY KEY, value TEXT NOT NULL );

-- table tags on tags
CREATE TABLE tags ( id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE );

