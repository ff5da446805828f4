package discord

import "github.com/bwmarrin/discordgo"

// Names of the application commands and their options.
const (
	CmdAsk        = "ask"
	CmdFAQ        = "faq"
	CmdAbout      = "about"
	OptQuestion   = "question"
	OptPrivate    = "private"
	OptTopic      = "topic"
	MaxAskLength  = 1000 // longest question /ask accepts
	MaxChoices    = 25   // autocomplete choices Discord shows
	MaxChoiceName = 100
)

// Commands returns the application commands, for a bulk overwrite. The
// patients' commands can be used in servers and in direct messages with the
// bot; /faq-admin only in servers, by moderators.
func Commands() []*discordgo.ApplicationCommand {
	contexts := []discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	minLen := 1
	return []*discordgo.ApplicationCommand{
		{
			Name:        CmdAsk,
			Type:        discordgo.ChatApplicationCommand,
			Description: "Ask a question about AVN of the hip and focused shockwave therapy",
			Contexts:    &contexts,
			Options: []*discordgo.ApplicationCommandOption{
				{
					Type:        discordgo.ApplicationCommandOptionString,
					Name:        OptQuestion,
					Description: "Your question, in your own words",
					Required:    true,
					MinLength:   &minLen,
					MaxLength:   MaxAskLength,
				},
				{
					Type:        discordgo.ApplicationCommandOptionBoolean,
					Name:        OptPrivate,
					Description: "Only you see the answer (you can still share it)",
				},
			},
		},
		{
			Name:        CmdFAQ,
			Type:        discordgo.ChatApplicationCommand,
			Description: "Show one entry of the curated FAQ",
			Contexts:    &contexts,
			Options: []*discordgo.ApplicationCommandOption{
				{
					Type:         discordgo.ApplicationCommandOptionString,
					Name:         OptTopic,
					Description:  "Start typing to pick a topic",
					Required:     true,
					Autocomplete: true,
					MaxLength:    MaxAskLength,
				},
			},
		},
		{
			Name:        CmdAbout,
			Type:        discordgo.ChatApplicationCommand,
			Description: "What this assistant is, where its answers come from, and its limits",
			Contexts:    &contexts,
		},
		adminCommand(), // admin.go: moderators only, servers only
	}
}
