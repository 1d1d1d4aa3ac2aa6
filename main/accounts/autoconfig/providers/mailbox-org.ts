// A config-v1.1 document (Thunderbird's autoconfig format) kept as a string, so that the build, the tests
// and the demo and bench (run by tsx, which has no text loader) all read it alike.
export default `<?xml version="1.0" encoding="UTF-8"?>
<!-- Source: not in Thunderbird ISPDB's master branch (commit c6ad79659b5fc321d1593ec4c277815b83e5dec5); servers from
     mailbox.org's own documentation (kb.mailbox.org, "E-Mail-Konfiguration"): IMAP imap.mailbox.org 993, POP3
     pop3.mailbox.org 995, SMTP smtp.mailbox.org 465 or 587 (STARTTLS), signing in with the address. -->
<clientConfig version="1.1">
  <emailProvider id="mailbox.org">
    <domain>mailbox.org</domain>
    <displayName>mailbox.org</displayName>
    <displayShortName>mailbox.org</displayShortName>
    <incomingServer type="imap">
      <hostname>imap.mailbox.org</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop3.mailbox.org</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.mailbox.org</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.mailbox.org</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
`;
