-- A tenant's business time zone (IANA name): spoken times are read and said in it,
-- storage stays UTC. NULL (rows made before this) means the settings' default.
ALTER TABLE tenants ADD COLUMN timezone text;
