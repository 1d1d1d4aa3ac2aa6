// A config-v1.1 document (Thunderbird's autoconfig format) kept as a string, so that the build, the tests
// and the demo and bench (run by tsx, which has no text loader) all read it alike.
export default `<?xml version="1.0" encoding="UTF-8"?>
<!-- Source: Thunderbird ISPDB, ispdb/yahoo.com.xml (commit ff465d9041e463e1c7feaf81a458c73cb438bfdf), without the MX
     names listed there as domains and without the second IMAP server (export.imap.mail.yahoo.com, for mailbox exports). -->
<clientConfig version="1.1">
  <emailProvider id="yahoo.com">
    <domain>yahoo.com</domain>
    <domain>yahoo.ca</domain>
    <domain>yahoo.de</domain>
    <domain>yahoo.it</domain>
    <domain>yahoo.fr</domain>
    <domain>yahoo.es</domain>
    <domain>yahoo.se</domain>
    <domain>yahoo.co.in</domain>
    <domain>yahoo.co.uk</domain>
    <domain>yahoo.co.nz</domain>
    <domain>yahoo.com.au</domain>
    <domain>yahoo.com.ar</domain>
    <domain>yahoo.com.br</domain>
    <domain>yahoo.com.mx</domain>
    <domain>ymail.com</domain>
    <domain>myyahoo.com</domain>
    <domain>rocketmail.com</domain>
    <domain>cox.net</domain>
    <displayName>Yahoo! Mail</displayName>
    <displayShortName>Yahoo</displayShortName>
    <incomingServer type="imap">
      <hostname>imap.mail.yahoo.com</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>OAuth2</authentication>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.mail.yahoo.com</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>OAuth2</authentication>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.mail.yahoo.com</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>OAuth2</authentication>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
  <oAuth2>
    <issuer>login.yahoo.com</issuer>
    <scope>mail-w</scope>
    <authURL>https://api.login.yahoo.com/oauth2/request_auth</authURL>
    <tokenURL>https://api.login.yahoo.com/oauth2/get_token</tokenURL>
  </oAuth2>
</clientConfig>
`;
