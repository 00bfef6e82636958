-- The users (identities.json of the embedded store), shared by every server on the database: one row
-- holding every entry as a JSON array (subject, namespace, uuid, the key's salted digest — never the
-- key — and limits), replaced whole under a row lock; version grows by one with each change so that
-- servers notice it with one cheap query.
CREATE TABLE identities (
  id integer PRIMARY KEY CHECK (id = 1),
  version bigint NOT NULL,
  body text NOT NULL
);
INSERT INTO identities (id, version, body) VALUES (1, 0, '[]');
