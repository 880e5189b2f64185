/**
 * The Prosody module `mod_sms_alias.lua`, embedded so the compiled binary can
 * print it (`goippy --prosody-module`) without reading files beside itself.
 * A test keeps it byte-identical to `install/mod_sms_alias.lua`.
 *
 * @module
 */

/** Text of `install/mod_sms_alias.lua` (Prosody 0.12). */
export const PROSODY_MODULE: string =
  `-- mod_sms_alias: lets local users write to a phone number directly.
--
-- A message from a local user to a bare number ("+123456789") or to a
-- number at the user's own host ("+123456789@example.org") is re-addressed
-- to that number at the SMS gateway component ("+123456789@sms.example.org")
-- and sent on as if the user had written it that way. Numbers are "+"
-- followed by digits, or digits only; digits@host is left alone when it is
-- a local account (users are often named by their extension, e.g. 2001).
-- Every other message is left alone.
--
-- Prosody 0.12. Install: copy this file into a directory listed in
-- plugin_paths, then in prosody.cfg.lua
--
--   modules_enabled = { ...; "sms_alias" }
--   sms_alias_component = "sms.example.org" -- default: "data.<host>"
--
-- (part of goippy; "goippy --prosody-module" prints this file)

local jid_split = require "util.jid".split;
local user_exists = require "core.usermanager".user_exists;

local component = module:get_option_string("sms_alias_component", "data." .. module.host);

if component == module.host then
	module:log("error", "sms_alias_component must not be the host itself (%s); not re-addressing", component);
	return;
end

local function is_number(s)
	return s ~= nil and s:match("^%+?%d+$") ~= nil;
end

-- Send the stanza on to number@component, through the same pre-events as a
-- message the user addressed that way (so carbons etc. still see it).
local function readdress(event, number)
	local stanza = event.stanza;
	local to = number .. "@" .. component;
	module:log("debug", "re-addressing message from %s: %s -> %s",
		tostring(stanza.attr.from), tostring(stanza.attr.to), to);
	stanza.attr.to = to;
	prosody.core_post_stanza(event.origin, stanza, true);
	return true;
end

-- "+123456789" (optionally with a resource): a JID that is only a "host"
module:hook("pre-message/host", function (event)
	local node, host = jid_split(event.stanza.attr.to);
	if node == nil and is_number(host) then
		return readdress(event, host);
	end
end, 10);

-- "+123456789@<this host>" (optionally with a resource); "123@<this host>"
-- only when there is no local account "123"
local function at_this_host(event)
	local node, host = jid_split(event.stanza.attr.to);
	if host == module.host and is_number(node)
		and (node:sub(1, 1) == "+" or not user_exists(node, host)) then
		return readdress(event, node);
	end
end

module:hook("pre-message/bare", at_this_host, 10);
module:hook("pre-message/full", at_this_host, 10);
`;
