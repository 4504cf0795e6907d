# PowerShell quoting as Lync scripts use it; every rule below must load
# with the pattern and translation PowerShell would pass. tests/import/run.sh
# also reads this file saved as UTF-16, as Windows PowerShell's Out-File writes.
New-CsDialPlan Quoting -NormalizationRules @()   # positional -Identity
$plan = 'Quoting'
$p2 = $plan
New-CsVoiceNormalizationRule -Parent $p2 -Name 'O''Hare' -Pattern '^(77\d{2})$' -Translation '+1773555$1'
New-CsVoiceNormalizationRule -Identity "$plan/Backtick" -Pattern "^(88\d{2})`$" -Translation "+1888555`$1"
New-CsVoiceNormalizationRule -Parent $plan -Name HereString -Pattern @'
^(99\d{2})$
'@ -Translation '+1999555$1'
<# a block comment
   over two lines #>
New-CsVoiceNormalizationRule -Parent $plan `
    -Name 'Continued' `
    -Pattern '^(66\d{2})$' -Translation '+1666555$1' -Priority:0
New-CsVoiceNormalizationRule -Parent $plan -Name ‘Typographic’ –Pattern ‘^(55\d{2})$’ –Translation “+1555555`$1”
New-CsVoiceNormalizationRule -Parent $plan -Name 'Out-Null after' -Pattern '^(33\d{2})$' -Translation '$1' | Out-Null 
New-CsVoiceNormalizationRule -Parent $plan -Name "Dollar before quote" -Pattern "^(44\d{2})$" -Translation '$1'; Write-Host "done"
