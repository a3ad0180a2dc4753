-- Booking references count per tenant and day (RE-20261201-001): unique within a tenant,
-- not across tenants (a second tenant's first booking of the day was refused as "taken").
ALTER TABLE bookings DROP CONSTRAINT bookings_reference_key;
CREATE UNIQUE INDEX bookings_group_reference ON bookings (group_id, reference);
