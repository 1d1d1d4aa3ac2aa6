// A config-v1.1 document (Thunderbird's autoconfig format) kept as a string, so that the build, the tests
// and the demo and bench (run by tsx, which has no text loader) all read it alike.
export default `<?xml version="1.0" encoding="UTF-8"?>
<!-- Source: not in Thunderbird ISPDB's master branch (an unmerged ispdb/protonmail.com.xml, commit
     cd5a90a8dac66f564e984ad72ab359ec21962a3b, gives the same ports); from Proton's Bridge documentation
     (proton.me/support/protonmail-bridge-clients): Proton Mail reaches other mail programs only through Proton Mail
     Bridge on the user's own computer, IMAP 127.0.0.1:1143 and SMTP 127.0.0.1:1025 with STARTTLS, and the user name
     and password the Bridge shows (not the Proton password). There is no POP3. -->
<clientConfig version="1.1">
  <emailProvider id="proton.me">
    <domain>proton.me</domain>
    <domain>protonmail.com</domain>
    <domain>protonmail.ch</domain>
    <domain>pm.me</domain>
    <displayName>Proton Mail (through Proton Mail Bridge)</displayName>
    <displayShortName>Proton Mail</displayShortName>
    <incomingServer type="imap">
      <hostname>127.0.0.1</hostname>
      <port>1143</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>127.0.0.1</hostname>
      <port>1025</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
`;
