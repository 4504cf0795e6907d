-- hep3.lua: a HEPv3 (Homer) decoder for tshark, for sipmed's tests. It
-- decodes the chunks sipmed writes (vendor 0, types 1-12, 15 and 17) and
-- hands a SIP payload (protocol type 1) to Wireshark's SIP dissector.
-- Packets come from tests/trace/hep_receiver.py (link type USER0).
--   tshark -X lua_script:hep3.lua -r hep.pcap -T fields -e hep3.capture_id ...
local hep3 = Proto("hep3", "HEPv3 (test decoder)")
local f = hep3.fields
f.version = ProtoField.string("hep3.version", "Version")
f.length = ProtoField.uint16("hep3.length", "Length")
f.family = ProtoField.uint8("hep3.family", "IP family")
f.ip_proto = ProtoField.uint8("hep3.ip_proto", "IP protocol")
f.src_ip = ProtoField.ipv4("hep3.src_ip", "Source IPv4")
f.dst_ip = ProtoField.ipv4("hep3.dst_ip", "Destination IPv4")
f.src_ip6 = ProtoField.ipv6("hep3.src_ip6", "Source IPv6")
f.dst_ip6 = ProtoField.ipv6("hep3.dst_ip6", "Destination IPv6")
f.src_port = ProtoField.uint16("hep3.src_port", "Source port")
f.dst_port = ProtoField.uint16("hep3.dst_port", "Destination port")
f.ts_sec = ProtoField.uint32("hep3.ts_sec", "Seconds")
f.ts_usec = ProtoField.uint32("hep3.ts_usec", "Microseconds")
f.proto_type = ProtoField.uint8("hep3.proto_type", "Protocol type")
f.capture_id = ProtoField.uint32("hep3.capture_id", "Capture agent ID")
f.correlation_id = ProtoField.string("hep3.correlation_id", "Correlation ID")
f.payload = ProtoField.string("hep3.payload", "Payload")
f.bad = ProtoField.string("hep3.bad", "Malformed")

local simple = {
	[1] = f.family, [2] = f.ip_proto, [3] = f.src_ip, [4] = f.dst_ip,
	[5] = f.src_ip6, [6] = f.dst_ip6, [7] = f.src_port, [8] = f.dst_port,
	[9] = f.ts_sec, [10] = f.ts_usec, [11] = f.proto_type, [12] = f.capture_id,
	[17] = f.correlation_id,
}
local sip = Dissector.get("sip")

function hep3.dissector(tvb, pinfo, tree)
	if tvb:len() < 6 or tvb(0, 4):string() ~= "HEP3" then
		return 0
	end
	pinfo.cols.protocol = "HEP3"
	local t = tree:add(hep3, tvb())
	t:add(f.version, tvb(0, 4))
	t:add(f.length, tvb(4, 2))
	if tvb(4, 2):uint() ~= tvb:len() then
		t:add(f.bad, tvb(4, 2), "length field differs from the datagram")
	end
	local off, ptype, payload = 6, nil, nil
	while off + 6 <= tvb:len() do
		local ctype, clen = tvb(off + 2, 2):uint(), tvb(off + 4, 2):uint()
		if clen < 6 or off + clen > tvb:len() then
			t:add(f.bad, tvb(off), "chunk overruns the datagram")
			break
		end
		local value = tvb(off + 6, clen - 6)
		if ctype == 15 then
			payload = value
			t:add(f.payload, value)
		elseif simple[ctype] then
			t:add(simple[ctype], value)
			if ctype == 11 then ptype = value:uint() end
		end
		off = off + clen
	end
	if payload ~= nil and ptype == 1 then
		sip:call(payload:tvb(), pinfo, tree)
	end
	return tvb:len()
end

DissectorTable.get("wtap_encap"):add(wtap.USER0, hep3)
