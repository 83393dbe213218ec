-- Whether a trunk's calls carry their audio over SRTP keyed by SDES. The keys
-- travel in the SDP, so only a trunk that signals over TLS may.
ALTER TABLE sip_trunks ADD COLUMN srtp BOOLEAN NOT NULL DEFAULT FALSE CHECK (NOT srtp OR transport = 'tls');
