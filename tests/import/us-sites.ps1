<#
  Contoso US voice configuration, two sites: Portland (Oregon) and Chicago
  (Illinois). Written the way the dial-plan generator sites write their
  scripts: one variable per site, rules built in memory and added to the
  plan in one go, usages added with @{Add=...}, output sent to Out-Null.
  Test data for sipmedctl import-lync (tests/import/run.sh).
#>
Write-Host "Creating the Portland dial plan" -ForegroundColor Green
$DP = 'Site:Portland'
New-CsDialPlan -Identity $DP -SimpleName 'US-OR-Portland' `
    -Description 'Portland, Oregon' -ExternalAccessPrefix '9' -OptimizeDeviceDialing $true -ErrorAction SilentlyContinue | Out-Null
# the generator removes Lync's placeholder rule first
Remove-CsVoiceNormalizationRule -Identity "$DP/Prefix All" -ErrorAction SilentlyContinue

$NR = @()
$NR += New-CsVoiceNormalizationRule -Parent $DP -Name 'US-OR-Portland-Internal' -Description 'Internal 4-digit extensions' -Pattern '^(2\d{3})$' -Translation '+1503555$1' -IsInternalExtension $true -InMemory
$NR += New-CsVoiceNormalizationRule -Parent $DP -Name 'US-OR-Portland-Local' -Pattern '^([2-9]\d{6})$' -Translation '+1503$1' -InMemory
$NR += New-CsVoiceNormalizationRule -Parent $DP -Name 'US-TollFree' -Pattern '^1?(8(00|33|44|55|66|77|88)[2-9]\d{6})$' -Translation '+1$1' -InMemory
$NR += New-CsVoiceNormalizationRule -Parent $DP -Name 'US-Premium' -Pattern '^1?(900[2-9]\d{6})$' -Translation '+1$1' -InMemory
$NR += New-CsVoiceNormalizationRule -Parent $DP -Name 'US-National' -Pattern '^1?([2-9]\d\d[2-9]\d{6})$' -Translation '+1$1' -InMemory
$NR += New-CsVoiceNormalizationRule -Parent $DP -Name 'US-Service' -Pattern '^([2-9]11)$' -Translation '$1' -InMemory
$NR += New-CsVoiceNormalizationRule -Parent $DP -Name 'US-International' -Pattern '^011(\d{6,15})$' -Translation '+$1' -InMemory
Set-CsDialPlan -Identity $DP -NormalizationRules @{Add=$NR}

# The 7-digit local rule also matches 911 callers who dial 9 first; the
# emergency rule goes to the top with Priority 0, as Lync inserts it.
New-CsVoiceNormalizationRule -Parent $DP -Name 'US-Emergency' -Pattern '^(911)$' -Translation '$1' -Priority 0

Write-Host "Creating the Chicago dial plan"
$DP = "Site:Chicago"
New-CsDialPlan -Identity $DP -Description "Chicago, Illinois"
Set-CsDialPlan -Identity $DP -NormalizationRules $null
New-CsVoiceNormalizationRule -Identity "$DP/US-IL-Chicago-Internal" -Pattern '^(4\d{3})$' -Translation '+1312555$1'
New-CsVoiceNormalizationRule -Identity "$DP/US-IL-Chicago-Local" -Pattern '^((312|773|872)[2-9]\d{6})$' `
    -Translation '+1$1'
New-CsVoiceNormalizationRule -Identity "$DP/US-National" -Pattern '^1?([2-9]\d\d[2-9]\d{6})$' -Translation '+1$1'
New-CsVoiceNormalizationRule -Identity "$DP/US-International" -Pattern '^011(\d{6,15})$' -Translation '+$1'
# inserted between Internal (0) and Local (1)
New-CsVoiceNormalizationRule -Identity "$DP/US-Emergency" -Pattern '^(911)$' -Translation '$1' -Priority 1

# Per-user plan for the executives: 3-digit speed dials to the assistants
New-CsDialPlan -Identity 'Executives' -NormalizationRules $null
New-CsVoiceNormalizationRule -Parent Executives -Name 'Assistant' -Pattern '^0$' -Translation '+15035552000'
New-CsVoiceNormalizationRule -Parent Executives -Name 'US-National' -Pattern '^1?([2-9]\d\d[2-9]\d{6})$' -Translation '+1$1'

# PSTN usages, routes and policies
Set-CsPstnUsage -Identity global -Usage @{Add='US-OR-Portland-Local','US-IL-Chicago-Local'} -WarningAction SilentlyContinue | Out-Null
Set-CsPstnUsage -Identity global -Usage @{Add="US-National","US-International","US-Emergency"} | Out-Null

New-CsVoiceRoute -Identity 'US-National' -NumberPattern '^\+1[2-9]\d\d[2-9]\d{6}$' -PstnUsages 'US-National' `
    -PstnGatewayList 'PstnGateway:gw1.pdx.contoso.com','PstnGateway:gw1.chi.contoso.com' -Priority 0
New-CsVoiceRoute -Identity 'US-International' -NumberPattern '^\+((1[2-9]\d\d[2-9]\d{6})|([2-9]\d{6,14}))$' `
    -PstnUsages 'US-International' -PstnGatewayList @('PstnGateway:gw1.chi.contoso.com')
New-CsVoiceRoute -Identity 'US-OR-Portland-Local' -NumberPattern '^\+1(503|971)[2-9]\d{6}$' `
    -PstnUsages @{add='US-OR-Portland-Local'} -PstnGatewayList @{add='PstnGateway:gw1.pdx.contoso.com'} -Priority 0
New-CsVoiceRoute -Identity 'US-IL-Chicago-Local' -NumberPattern '^\+1(312|773|872)[2-9]\d{6}$' `
    -PstnUsages 'US-IL-Chicago-Local' -PstnGatewayList 'PstnGateway:gw1.chi.contoso.com' -Priority 0
New-CsVoiceRoute -Identity 'US-Emergency' -NumberPattern '^(\+1)?911$' -PstnUsages 'US-Emergency' `
    -PstnGatewayList 'PstnGateway:gw1.pdx.contoso.com' -Priority 0
# the help desk line shows the main number on every national call
Set-CsVoiceRoute -Identity 'US-National' -SuppressCallerId $true -AlternateCallerId '+15035551000'
Set-CsVoiceRoute -Identity 'US-National' -SuppressCallerId $false

New-CsVoicePolicy -Identity 'Site:Portland' -PstnUsages @{Add='US-Emergency','US-OR-Portland-Local','US-National'} -AllowSimulRing $true -EnableDelegation $true
New-CsVoicePolicy -Identity 'Site:Chicago' -PstnUsages 'US-Emergency','US-IL-Chicago-Local','US-National'
New-CsVoicePolicy -Identity 'US-International' -PstnUsages 'US-Emergency', 'US-OR-Portland-Local', 'US-National', 'US-International' `
    -AllowCallForwarding $true -CallForwardingSimulRingUsageType CustomUsage -CustomCallForwardingSimulRingUsages 'US-National'
Set-CsVoicePolicy -Identity Global -PstnUsages 'US-Emergency'

# E9-1-1: 911, and 112 meaning it, by the emergency usage; security is told
Set-CsLocationPolicy -Identity Global -EnhancedEmergencyServicesEnabled $true -EmergencyDialString '911' `
    -EmergencyDialMask '112;999' -PstnUsage 'US-Emergency' -NotificationUri 'sip:security@contoso.com'

# Trunks: the Portland gateway wants 10 digits; Chicago takes E.164 with
# the plus removed by the Mediation Server.
$PDX = 'Service:PstnGateway:gw1.pdx.contoso.com'
New-CsTrunkConfiguration -Identity $PDX -EnableReferSupport $false -ForwardPAI $true
New-CsOutboundTranslationRule -Parent $PDX -Name 'US-10digit' -Pattern '^\+1(\d{10})$' -Translation '$1' -Priority 0
New-CsOutboundTranslationRule -Identity "$PDX/Intl" -Pattern '^\+(\d+)$' -Translation '011$1'
New-CsOutboundCallingNumberTranslationRule -Parent $PDX -Name 'Main number for the lobby' -Pattern '^\+15035552999$' -Translation '5035551000'
New-CsOutboundCallingNumberTranslationRule -Parent $PDX -Name 'US-10digit' -Pattern '^\+1(\d{10})$' -Translation '$1'
New-CsSipResponseCodeTranslationRule -Identity "$PDX/BusyToFailover" -ReceivedResponseCode 486 -ReceivedISUPCauseValue 34 -TranslatedResponseCode 503

Set-CsTrunkConfiguration -Identity Global -RemovePlusFromUri $true -EnableFastFailoverTimer $false
# the Chicago gateway fronts the old PBX: its calls to numbers no user has
# go out by these usages (inter-trunk routing)
New-CsTrunkConfiguration -Identity 'Service:PstnGateway:gw1.chi.contoso.com' -PstnUsages @{add='US-National'} -RemovePlusFromUri $true

# the gateways' own plans for inbound calls
New-CsDialPlan -Identity 'Service:PstnGateway:gw1.pdx.contoso.com' -NormalizationRules $null
New-CsVoiceNormalizationRule -Parent 'Service:PstnGateway:gw1.pdx.contoso.com' -Name 'DID' -Pattern '^(\d{4})$' -Translation '+1503555$1'
New-CsVoiceNormalizationRule -Parent 'Service:PstnGateway:gw1.pdx.contoso.com' -Name 'National' -Pattern '^1?(\d{10})$' -Translation '+1$1'

# Unassigned numbers: the Portland block goes to reception
New-CsAnnouncement -Parent ApplicationServer:pool.contoso.com -Name 'Reception' -TargetUri 'sip:reception@contoso.com'
New-CsUnassignedNumber -Identity 'Portland block' -NumberRangeStart 'tel:+15035552000' -NumberRangeEnd 'tel:+15035552999' -AnnouncementService ApplicationServer:pool.contoso.com -AnnouncementName 'Reception' -Priority 1
New-CsUnassignedNumber -Identity 'Chicago block' -NumberRangeStart 'tel:+13125554000' -NumberRangeEnd 'tel:+13125554999' -ExUmAutoAttendantPhoneNumber '+13125554000' -Priority 2

# Users
Set-CsUser -Identity 'sip:ceo@contoso.com' -EnterpriseVoiceEnabled $true -LineURI 'tel:+15035552001'
Grant-CsDialPlan -Identity 'sip:ceo@contoso.com' -PolicyName 'Executives'
Grant-CsVoicePolicy -Identity 'sip:ceo@contoso.com' -PolicyName Tag:US-International
