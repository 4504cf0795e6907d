# One item of each kind import-lync cannot map. Each gives one warning
# (the lines after "#> " at the end, in order) and is skipped; the rest
# still maps and the output loads. tests/import/run.sh checks both.
New-CsDialPlan -Identity 'Site:Oslo' -NormalizationRules $null
New-CsVoiceNormalizationRule -Parent 'Site:Oslo' -Name 'Internal' -Pattern '^(5\d{3})$' -Translation '+4722555$1'
New-CsVoiceNormalizationRule -Parent 'Site:Oslo' -Name 'Internal' -Pattern '^(6\d{3})$' -Translation '+4722556$1'
New-CsVoiceNormalizationRule -Parent 'Site:Bergen' -Name 'Internal' -Pattern '^(5\d{3})$' -Translation '+4755555$1'
New-CsVoiceNormalizationRule -Parent 'Site:Oslo' -Name 'Double quoted' -Pattern "^(\d{8})$" -Translation "+47$1"
Set-CsVoiceNormalizationRule -Identity 'Site:Oslo/Nowhere' -Priority 0
New-CsDialPlan -Identity 'Site:Oslo'
New-CsPstnGateway -Identity 'gw1.oslo.contoso.no'
Set-CsPstnUsage -Usage @{add='NO'; insert='Other'}
New-CsVoiceRoute -Identity 'NO' -NumberPattern '^\+47\d{8}$' -PstnUsages 'NO' -PstnGatewayList 'PstnGateway:gw1.oslo.contoso.no' -Bandwidth 64
New-CsVoiceRoute -Identity 'NO-Teams' -NumberPattern '^\+47\d{8}$' -PstnUsages 'NO' -OnlinePstnGatewayList 'sbc.oslo.contoso.no'
New-CsVoiceRoute -Identity 'NoGateway' -NumberPattern '^\+46\d+$' -PstnUsages 'NO'
Set-CsVoiceRoute -Identity 'Missing' -Priority 0
New-CsVoicePolicy -Identity 'Site:Oslo' -PstnUsages 'NO' -EnableCallPark $true -AllowSimulRing maybe -CallForwardingSimulRingUsageType Anywhere
New-CsTrunkConfiguration -Identity 'Service:PstnGateway:gw1.oslo.contoso.no' -SRTPMode NotSupported -PstnUsages 'NO' -EnablePIDFLOSupport $true
New-CsLocationPolicy -Identity 'Site:Oslo' -EmergencyDialString 112 -EmergencyDialMask '911;999'
if ($env:SKIP -eq $null) { Set-CsVoiceRoute -Identity 'NO' -Priority 0 }
Get-CsVoiceRoute | Remove-CsVoiceRoute
New-CsVoicePolicy -Identity 'Site:Bergen' -PstnUsages $Undefined
New-CsUnassignedNumber -Identity 'Oslo block' -NumberRangeStart 'tel:+4722555000'
Set-CsUser -Identity 'Kari Nordmann' -LineURI 'tel:+4722555001'
Set-CsUser -Identity 'sip:ola@contoso.no' -LineURI '22555002'
Set-CsUser -Identity 'sip:kari@contoso.no' -LineURI 'tel:+4722555003'
Grant-CsDialPlan -Identity 'sip:kari@contoso.no' -PolicyName 'Nordland'
#> warnings.ps1:6: warning: New-CsVoiceNormalizationRule: dial plan Site:Oslo has a rule "Internal" already: skipped
#> warnings.ps1:7: warning: New-CsVoiceNormalizationRule: no dial plan Site:Bergen for rule "Internal" (Lync refuses a rule before its plan): skipped
#> warnings.ps1:8: warning: "$1" inside double quotes is PowerShell's variable $1, not a group reference: PowerShell (and so Lync) got "" there; write the translation in single quotes
#> warnings.ps1:9: warning: Set-CsVoiceNormalizationRule: no rule Site:Oslo/Nowhere: skipped
#> warnings.ps1:10: warning: New-CsDialPlan: dial plan Site:Oslo exists already (Lync refuses this): skipped
#> warnings.ps1:11: warning: New-CsPstnGateway: not a cmdlet sipmed maps: skipped
#> warnings.ps1:12: warning: Set-CsPstnUsage -Usage: "insert" is not add, remove or replace: skipped
#> warnings.ps1:13: warning: New-CsVoiceRoute -Bandwidth has no sipmed equivalent: skipped
#> warnings.ps1:16: warning: Set-CsVoiceRoute: no route "Missing": skipped
#> warnings.ps1:17: warning: New-CsVoicePolicy -EnableCallPark has no sipmed equivalent: skipped
#> warnings.ps1:17: warning: New-CsVoicePolicy -AllowSimulRing: "maybe" is not $true or $false: skipped
#> warnings.ps1:17: warning: New-CsVoicePolicy -CallForwardingSimulRingUsageType "Anywhere" is not VoicePolicyUsage, InternalOnly or CustomUsage: skipped
#> warnings.ps1:18: warning: New-CsTrunkConfiguration -SRTPMode: media settings are not imported (a trunk bypasses media unless given media = "anchor" and srtp by hand): skipped
#> warnings.ps1:20: warning: "if" is not evaluated: the statement is skipped
#> warnings.ps1:21: warning: a pipeline from Get-CsVoiceRoute into Remove-CsVoiceRoute is not evaluated: skipped
#> warnings.ps1:22: warning: variable $Undefined is not set here: taken as $null
#> warnings.ps1:23: warning: New-CsUnassignedNumber: needs -Identity, -NumberRangeStart and -NumberRangeEnd: skipped
#> warnings.ps1:24: warning: user "Kari Nordmann": give the SIP address (sip:name@domain): skipped
#> warnings.ps1:25: warning: LineURI "22555002" is not tel:+E.164: skipped
#> warnings.ps1:19: warning: location policy Site:Oslo has no -PstnUsage: its emergency calls would have no route, and it is not written
#> warnings.ps1:14: warning: gateway sbc.oslo.contoso.no has no address (no New- or Set-CsOnlinePstnGateway -SipSignalingPort): sips:sbc.oslo.contoso.no:5061 is written
#> warnings.ps1:15: warning: route "NoGateway" has no gateway: it can carry no call, and is not written
#> warnings.ps1:25: warning: user sip:ola@contoso.no has no LineURI: not written
#> warnings.ps1:26: warning: user sip:kari@contoso.no: no dial plan Nordland: the user falls back to Global
