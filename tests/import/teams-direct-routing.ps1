# Microsoft Teams Direct Routing for Contoso's US office: one SBC, a tenant
# dial plan, translation rules on the SBC both ways, routing policies and
# users' numbers. Test data for import-lync.
Connect-MicrosoftTeams

# the SBC, on its signalling port
New-CsOnlinePSTNGateway -Fqdn sbc1.contoso.com -SipSignalingPort 5067 -Enabled $true -ForwardPai $true -MaxConcurrentSessions 100

# translation rules on the SBC: called numbers leave as 10 digits, inbound
# numbers arrive as 10 digits and become E.164
New-CsTeamsTranslationRule -Identity 'StripPlus1' -Pattern '^\+1(\d{10})$' -Translation '$1'
New-CsTeamsTranslationRule -Identity 'AddPlus1' -Pattern '^(\d{10})$' -Translation '+1$1'
New-CsTeamsTranslationRule -Identity 'Intl011' -Pattern '^\+(\d+)$' -Translation '011$1'
Set-CsOnlinePSTNGateway -Identity sbc1.contoso.com `
    -OutboundPstnNumberTranslationRules 'StripPlus1','Intl011' `
    -OutboundTeamsNumberTranslationRules 'StripPlus1' `
    -InboundTeamsNumberTranslationRules 'AddPlus1'

# usages, routes and routing policies
Set-CsOnlinePstnUsage -Identity Global -Usage @{Add="US and Canada"}
New-CsOnlinePstnUsage -Identity Global -Usage @{Add="International"}
New-CsOnlineVoiceRoute -Identity "US and Canada" -NumberPattern "^\+1(\d{10})$" -OnlinePstnGatewayList sbc1.contoso.com -Priority 1 -OnlinePstnUsages "US and Canada"
New-CsOnlineVoiceRoute -Identity "International" -NumberPattern "^\+(?!1)\d+$" -OnlinePstnGatewayList sbc1.contoso.com -Priority 2 -OnlinePstnUsages "International"
New-CsOnlineVoiceRoutingPolicy "US Only" -OnlinePstnUsages "US and Canada"
New-CsOnlineVoiceRoutingPolicy "No Restrictions" -OnlinePstnUsages "US and Canada","International"

# a tenant dial plan: 4-digit extensions, 7-digit local, 10 digits
$rules = @(
    (New-CsVoiceNormalizationRule -Parent Global -Name 'Ext' -Pattern '^(1\d{3})$' -Translation '+1425555$1' -InMemory),
    (New-CsVoiceNormalizationRule -Parent Global -Name 'Local' -Pattern '^([2-9]\d{6})$' -Translation '+1425$1' -InMemory)
)
$rules += New-CsVoiceNormalizationRule -Parent Global -Name 'National' -Pattern '^1?([2-9]\d{9})$' -Translation '+1$1' -InMemory
New-CsTenantDialPlan -Identity "US-Redmond" -NormalizationRules $rules

# users
Set-CsPhoneNumberAssignment -Identity "mia@contoso.com" -PhoneNumber "+14255551001" -PhoneNumberType DirectRouting
Grant-CsOnlineVoiceRoutingPolicy -Identity "mia@contoso.com" -PolicyName "No Restrictions"
Grant-CsTenantDialPlan -Identity "mia@contoso.com" -PolicyName "US-Redmond"
Set-CsPhoneNumberAssignment -Identity "leo@contoso.com" -PhoneNumber "+14255551002" -PhoneNumberType DirectRouting
Grant-CsOnlineVoiceRoutingPolicy -Identity "leo@contoso.com" -PolicyName "US Only"
Grant-CsTenantDialPlan -Identity "leo@contoso.com" -PolicyName "US-Redmond"
