# UK-London dial plan, in the layout of the dial-plan generator sites:
# a header block, the rules as in-memory objects collected into $NR with
# -Priority numbers, a Set-CsDialPlan that replaces the plan's rules,
# then usages, routes, policy and the trunk. Test data for import-lync.
$DPParent = "Site:London"
$DPName = "UK-London"

Write-Host "Creating normalization rules for $DPName"
$null = New-CsDialPlan -Identity $DPParent -SimpleName $DPName -Description @"
United Kingdom, London (020)
Generated for sipmed's import tests
"@ -ErrorAction SilentlyContinue

$NR = @()
$NR += New-CsVoiceNormalizationRule -Name "UK-London-Internal" -Parent $DPParent -Pattern '^(4\d{3})$' -Translation '+44207946$1' -Priority 0 -IsInternalExtension $True -InMemory
$NR += New-CsVoiceNormalizationRule -Name "UK-Emergency" -Parent $DPParent -Pattern '^(999|112)$' -Translation '$1' -Priority 1 -InMemory
$NR += New-CsVoiceNormalizationRule -Name "UK-London-Local" -Parent $DPParent -Pattern '^([2-8]\d{7})$' -Translation '+4420$1' -Priority 2 -InMemory
$NR += New-CsVoiceNormalizationRule -Name "UK-Mobile" -Parent $DPParent -Pattern '^0?(7\d{9})$' -Translation '+44$1' -Priority 3 -InMemory
$NR += New-CsVoiceNormalizationRule -Name "UK-TollFree" -Parent $DPParent -Pattern '^0?(80[08]\d{6,7})$' -Translation '+44$1' -Priority 4 -InMemory
$NR += New-CsVoiceNormalizationRule -Name "UK-National" -Parent $DPParent -Pattern '^0([1-9]\d{8,9})$' -Translation '+44$1' -Priority 5 -InMemory
$NR += New-CsVoiceNormalizationRule -Name "UK-Service" -Parent $DPParent -Pattern '^(1\d{2,4})$' -Translation '$1' -Priority 6 -InMemory
$NR += New-CsVoiceNormalizationRule -Name "UK-International" -Parent $DPParent -Pattern '^(?:\+|00)(1|7|2[07]|3[0-46]|39\d|4[013-9]|5[1-8]|6[0-6]|8[1246]|9[0-58]|2[1235689]\d|24[013-9]|242\d|3[578]\d|42\d|5[09]\d|6[789]\d|8[035789]\d|9[679]\d)(?:0)?(\d{6,14})(\D+\d+)?$' -Translation '+$1$2' -Priority 7 -InMemory
Set-CsDialPlan -Identity $DPParent -NormalizationRules @{Replace=$NR} -ExternalAccessPrefix "9" -OptimizeDeviceDialing $false

Set-CsPstnUsage -Identity Global -Usage @{Add="UK-London-Local","UK-National","UK-Mobile","UK-International","UK-Service"} -ErrorAction SilentlyContinue | Out-Null

$gw = "PstnGateway:sbc.lon.contoso.co.uk"
New-CsVoiceRoute -Name "UK-London-Local" -Priority 0 -PstnUsages "UK-London-Local" -PstnGatewayList $gw -NumberPattern '^\+4420\d{8}$' -Description "London local" -ErrorAction SilentlyContinue | Out-Null
New-CsVoiceRoute -Name "UK-National" -Priority 1 -PstnUsages "UK-National" -PstnGatewayList $gw -NumberPattern '^\+44[1-9]\d{8,9}$' | Out-Null
New-CsVoiceRoute -Name "UK-Mobile" -Priority 0 -PstnUsages "UK-Mobile" -PstnGatewayList $gw -NumberPattern '^\+447\d{9}$' | Out-Null
New-CsVoiceRoute -Name "UK-Service" -PstnUsages "UK-Service" -PstnGatewayList $gw -NumberPattern '^(999|112|1\d{2,4})$' | Out-Null
New-CsVoiceRoute -Name "UK-International" -PstnUsages "UK-International" -PstnGatewayList $gw -NumberPattern '^\+(?!44)\d+$' | Out-Null

New-CsVoicePolicy "UK-London-National" -PstnUsages "UK-Service","UK-London-Local","UK-National","UK-Mobile" -Description "London users: national calls" `
    -AllowSimulRing $True -AllowCallForwarding $True -EnableDelegation $True -EnableTeamCall $True -EnableCallTransfer $True -EnableCallPark $False -ErrorAction SilentlyContinue | Out-Null
New-CsVoicePolicy -Identity "Site:London" -PstnUsages @("UK-Service","UK-London-Local","UK-National","UK-Mobile","UK-International")

# The SBC takes national format: 0 + national number, 00 + international.
$TC = "Service:PstnGateway:sbc.lon.contoso.co.uk"
$called = @()
$called += New-CsOutboundTranslationRule -Parent $TC -Name "UK-National" -Pattern '^\+44(\d{9,10})$' -Translation '0$1' -InMemory
$called += New-CsOutboundTranslationRule -Parent $TC -Name "UK-International" -Pattern '^\+(\d+)$' -Translation '00$1' -InMemory
$calling = @()
$calling += New-CsOutboundCallingNumberTranslationRule -Parent $TC -Name "UK-National" -Pattern '^\+44(\d{9,10})$' -Translation '0$1' -InMemory
New-CsTrunkConfiguration -Identity $TC -OutboundTranslationRulesList $called -OutboundCallingNumberTranslationRulesList $calling -ForwardPAI $True -EnableSessionTimer $True -MaxEarlyDialogs 10

Set-CsUser -Identity "sip:olivia@contoso.co.uk" -EnterpriseVoiceEnabled $True -LineURI "tel:+442079464001"
Grant-CsVoicePolicy -Identity "sip:olivia@contoso.co.uk" -PolicyName "UK-London-National"
