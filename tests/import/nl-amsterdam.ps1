# NL-Amsterdam dial plan, generator style with the rule identities written
# "Scope/Name" and priorities set afterwards with Set-, as an administrator
# re-ordering an existing plan does. Test data for import-lync.
New-CsDialPlan -Identity 'Site:Amsterdam' -SimpleName 'NL-Amsterdam' -Description 'Nederland, Amsterdam (020)'
Remove-CsVoiceNormalizationRule -Identity 'Site:Amsterdam/Prefix All'

New-CsVoiceNormalizationRule -Identity 'Site:Amsterdam/NL-Amsterdam-Internal' -Pattern '^(3\d{3})$' -Translation '+3120555$1' -IsInternalExtension $true
New-CsVoiceNormalizationRule -Identity 'Site:Amsterdam/NL-Amsterdam-Local' -Pattern '^([2-9]\d{6})$' -Translation '+3120$1'
New-CsVoiceNormalizationRule -Identity 'Site:Amsterdam/NL-National' -Pattern '^0([1-9]\d{8})$' -Translation '+31$1'
New-CsVoiceNormalizationRule -Identity 'Site:Amsterdam/NL-International' -Pattern '^00(\d+)$' -Translation '+$1'
New-CsVoiceNormalizationRule -Identity 'Site:Amsterdam/NL-Emergency' -Pattern '^(112|911)$' -Translation '112'
New-CsVoiceNormalizationRule -Identity 'Site:Amsterdam/NL-Service' -Pattern '^0?(0?[89]00\d{4,7})$' -Translation '+31$1'
# emergency and service numbers must win over the local rule: moved up
Set-CsVoiceNormalizationRule -Identity 'Site:Amsterdam/NL-Emergency' -Priority 0
Set-CsVoiceNormalizationRule -Identity 'Site:Amsterdam/NL-Service' -Priority 2
# a typo fixed in place: the pattern of the national rule takes 9 digits
Set-CsVoiceNormalizationRule -Identity 'Site:Amsterdam/NL-National' -Pattern '^0([1-9]\d{8})$' -Description "Nationaal: 0 + 9 cijfers"

Set-CsPstnUsage -Usage @{add='NL-Amsterdam'}
New-CsVoiceRoute -Identity 'NL-All' -NumberPattern '^(\+\d+|112)$' -PstnUsages 'NL-Amsterdam' -PstnGatewayList 'PstnGateway:10.20.0.5'
New-CsVoicePolicy -Identity 'Site:Amsterdam' -PstnUsages 'NL-Amsterdam'

# the gateway is defined by address: TCP in Lync's topology
New-CsOutboundTranslationRule -Identity 'Service:PstnGateway:10.20.0.5/NL-National' -Pattern '^\+31(\d{9})$' -Translation '0$1'
New-CsOutboundTranslationRule -Identity 'Service:PstnGateway:10.20.0.5/NL-International' -Pattern '^\+(\d+)$' -Translation '00$1'
New-CsOutboundCallingNumberTranslationRule -Identity 'Service:PstnGateway:10.20.0.5/NL-National' -Pattern '^\+31(\d{9})$' -Translation '0$1'

